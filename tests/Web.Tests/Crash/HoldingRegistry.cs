using System.Collections.Concurrent;
using System.Net;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// A registry on 127.0.0.1 whose layer downloads can be held half-way: the analysis stays Running (its job
/// beats) for as long as a test needs, so the test can kill the app, stop it or let a deadline pass at a
/// known phase — timing by a slow input, not by a hook inside the app. Every repository serves its own
/// one-layer image (different bytes per repository, so no run finds another's layer in the blob cache).
/// A real registry cannot pause a download on cue, which is why this one is written here.
/// </summary>
public sealed class HoldingRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, (Dictionary<string, byte[]> Blobs, byte[] Manifest, string LayerDigest)> _images = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();
    private readonly ConcurrentDictionary<string, int> _layerRequests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HoldingRegistry()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    /// <summary>The reference of <paramref name="repository"/>'s image.</summary>
    public string Reference(string repository) => $"{Host}/{repository}:v1";

    /// <summary>Downloads of this repository's layer stop half-way until <see cref="Release"/>.</summary>
    public void Hold(string repository) => _holds[repository] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string repository)
    {
        if (_holds.TryRemove(repository, out var gate))
        {
            gate.TrySetResult();
        }
    }

    /// <summary>The digest of <paramref name="repository"/>'s manifest (what a push notification names).</summary>
    public string ManifestDigest(string repository) => SyntheticImage.Sha256(Image(repository).Manifest);

    /// <summary>How many times a layer download of <paramref name="repository"/> began.</summary>
    public int LayerRequests(string repository) => _layerRequests.GetValueOrDefault(repository);

    private (Dictionary<string, byte[]> Blobs, byte[] Manifest, string LayerDigest) Image(string repository) => _images.GetOrAdd(repository, name =>
    {
        var image = new SyntheticImage(new LayerTarBuilder().Dir("app").File("app/" + name.Replace('/', '-') + ".bin", 256 * 1024, seed: name.GetHashCode(StringComparison.Ordinal)).Build());
        var (blobs, _, manifest) = image.Blobs();
        var layer = SyntheticImage.Sha256(image.Compress(image.LayerTars[0]));
        return (blobs, manifest, layer);
    });

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
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
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(context);
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The client went away (killed mid-download).
                }
                finally
                {
                    try
                    {
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        // Already gone.
                    }
                }
            });
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        if (path is "/v2/" or "/v2")
        {
            context.Response.StatusCode = 200;
            return;
        }
        var manifests = path.IndexOf("/manifests/", StringComparison.Ordinal);
        var blobsAt = path.IndexOf("/blobs/", StringComparison.Ordinal);
        var repository = path[4..(manifests >= 0 ? manifests : blobsAt >= 0 ? blobsAt : path.Length)];
        var image = Image(repository);
        byte[]? body = null;
        if (manifests >= 0)
        {
            body = image.Manifest;
            context.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
            context.Response.Headers["Docker-Content-Digest"] = SyntheticImage.Sha256(image.Manifest);
        }
        else if (blobsAt >= 0 && image.Blobs.TryGetValue(path[(blobsAt + 7)..], out var blob))
        {
            body = blob;
        }
        if (body is null)
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentLength64 = body.Length;
        if (context.Request.HttpMethod == "HEAD")
        {
            return;
        }
        var isLayer = blobsAt >= 0 && path.EndsWith(image.LayerDigest, StringComparison.Ordinal);
        if (isLayer)
        {
            _layerRequests.AddOrUpdate(repository, 1, (_, n) => n + 1);
        }
        if (isLayer && _holds.TryGetValue(repository, out var gate))
        {
            var half = body.Length / 2;
            await context.Response.OutputStream.WriteAsync(body.AsMemory(0, half));
            await context.Response.OutputStream.FlushAsync();
            await gate.Task.WaitAsync(_stop.Token);
            await context.Response.OutputStream.WriteAsync(body.AsMemory(half));
            return;
        }
        await context.Response.OutputStream.WriteAsync(body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var gate in _holds.Values)
        {
            gate.TrySetResult();
        }
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
