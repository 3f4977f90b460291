using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Web.Tests.Saas;

/// <summary>A receiver on loopback that checks every signature, fails twice and then accepts.</summary>
public sealed class WebhookDeliveryTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private const string Secret = "receiver-shared-secret-42";

    private sealed record Received(string Event, string Delivery, string Timestamp, string Signature, string Body, bool SignatureValid);

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_a_third_attempt_and_all_three_are_logged_with_their_status_codes()
    {
        var port = FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new ConcurrentQueue<Received>();
        using var stop = new CancellationTokenSource();
        var receiver = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await listener.GetContextAsync().WaitAsync(stop.Token);
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var timestamp = context.Request.Headers["X-LayerLens-Timestamp"] ?? "";
                var signature = context.Request.Headers["X-LayerLens-Signature"] ?? "";
                // Computed here from the published definition, not with the app's code.
                var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
                received.Enqueue(new Received(context.Request.Headers["X-LayerLens-Event"] ?? "", context.Request.Headers["X-LayerLens-Delivery"] ?? "", timestamp, signature, body, signature == expected));
                context.Response.StatusCode = received.Count <= 2 ? 500 : 204;
                context.Response.Close();
            }
        });

        using var created = await app.Alpha.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative),
            new { url = $"http://127.0.0.1:{port}/ci", events = new[] { "analysis.succeeded" }, secret = Secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hook = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Secret, hook.GetProperty("secret").GetString());
        var hookId = hook.GetProperty("id").GetString();

        var analysisId = await app.AnalyseScenarioAsync(app.Alpha, "webhooked");

        JsonElement delivery = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var deliveries = await app.Alpha.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/webhooks/{hookId}/deliveries", UriKind.Relative));
            if (deliveries.GetArrayLength() == 1 && deliveries[0].GetProperty("state").GetString() == "delivered")
            {
                delivery = deliveries[0];
                break;
            }
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        Assert.True(delivery.ValueKind == JsonValueKind.Object, $"not delivered in time; received {received.Count}; log:\n{app.App.Log}");

        // Three attempts logged, with the receiver's status codes in order.
        Assert.Equal([500, 500, 204], delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal([1, 2, 3], delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("number").GetInt32()));
        Assert.Equal(204, delivery.GetProperty("lastStatusCode").GetInt32());

        var calls = received.ToArray();
        Assert.Equal(3, calls.Length);
        Assert.All(calls, c => Assert.True(c.SignatureValid, $"bad signature {c.Signature}"));
        Assert.All(calls, c => Assert.Equal("analysis.succeeded", c.Event));
        Assert.Single(calls.Select(c => c.Delivery).Distinct());
        Assert.Equal(delivery.GetProperty("id").GetString(), calls[0].Delivery);
        Assert.All(calls, c => Assert.InRange(long.Parse(c.Timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

        // The body carries the summary (the scenario's hand-computed numbers) and absolute links.
        var body = JsonDocument.Parse(calls[2].Body).RootElement;
        Assert.Equal("analysis.succeeded", body.GetProperty("event").GetString());
        Assert.Equal(analysisId, body.GetProperty("analysis").GetProperty("id").GetString());
        Assert.Equal(ScenarioImage.WastedBytes, body.GetProperty("analysis").GetProperty("summary").GetProperty("wastedBytes").GetInt64());
        Assert.EndsWith($"/analyses/{analysisId}", body.GetProperty("links").GetProperty("page").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("http", body.GetProperty("links").GetProperty("page").GetString(), StringComparison.Ordinal);
        listener.Stop();
        await Task.WhenAny(receiver, Task.Delay(1000));
    }

    [Fact]
    public async Task Redelivery_sends_the_same_body_as_a_new_delivery()
    {
        using var created = await app.Alpha.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative),
            new { url = "http://127.0.0.1:9/unreachable", events = new[] { "analysis.succeeded" } });
        var hook = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(64, hook.GetProperty("secret").GetString()!.Length); // generated when none is given
        await app.AnalyseScenarioAsync(app.Alpha, "redelivered");
        var hookId = hook.GetProperty("id").GetString();
        JsonElement deliveries = default;
        for (var i = 0; i < 100; i++)
        {
            deliveries = await app.Alpha.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/webhooks/{hookId}/deliveries", UriKind.Relative));
            // An attempt is listed from its claim on, before its outcome is written: wait for the outcome.
            if (deliveries.GetArrayLength() == 1 && deliveries[0].GetProperty("attempts").GetArrayLength() > 0
                && (deliveries[0].GetProperty("attempts")[0].GetProperty("statusCode").ValueKind != JsonValueKind.Null
                    || !string.IsNullOrEmpty(deliveries[0].GetProperty("attempts")[0].GetProperty("error").GetString())))
            {
                break;
            }
            await Task.Delay(100);
        }
        var first = deliveries[0];
        Assert.Null(first.GetProperty("attempts")[0].GetProperty("statusCode").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("attempts")[0].GetProperty("error").GetString()));

        using var again = await app.Alpha.PostAsync(new Uri($"api/v1/webhooks/deliveries/{first.GetProperty("id").GetString()}/redeliver", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        using var foreign = await app.Beta.PostAsync(new Uri($"api/v1/webhooks/deliveries/{first.GetProperty("id").GetString()}/redeliver", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var after = await app.Alpha.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/webhooks/{hookId}/deliveries", UriKind.Relative));
        Assert.Equal(2, after.GetArrayLength());
        Assert.NotEqual(after[0].GetProperty("id").GetString(), after[1].GetProperty("id").GetString());
    }
}
