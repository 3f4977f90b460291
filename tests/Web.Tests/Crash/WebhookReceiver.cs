using System.Collections.Concurrent;
using System.Net;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Web.Tests.Crash;

/// <summary>A webhook endpoint on 127.0.0.1 that answers 204 and counts what arrives by X-LayerLens-Delivery.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>Every request received: its event, its delivery id and its body.</summary>
    public ConcurrentQueue<(string Event, string Delivery, string Body)> Received { get; } = new();

    /// <summary>Every request's signature headers, with its event and body, to check the signature independently of the app's code.</summary>
    public ConcurrentQueue<(string Event, string Timestamp, string Signature, string Body)> Signed { get; } = new();

    /// <summary>Requests received for one analysis (its id appears in the body).</summary>
    public IReadOnlyList<(string Event, string Delivery, string Body)> For(string analysisId) =>
        Received.Where(r => r.Body.Contains(analysisId, StringComparison.Ordinal)).ToList();

    private async Task LoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            Signed.Enqueue((context.Request.Headers["X-LayerLens-Event"] ?? "", context.Request.Headers["X-LayerLens-Timestamp"] ?? "", context.Request.Headers["X-LayerLens-Signature"] ?? "", body));
            Received.Enqueue((context.Request.Headers["X-LayerLens-Event"] ?? "", context.Request.Headers["X-LayerLens-Delivery"] ?? "", body));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopped.
        }
    }
}
