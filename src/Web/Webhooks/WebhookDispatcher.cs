using System.Text.Json;
using Hangfire;
using LayerLens.Data.Model;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Api;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Webhooks;

/// <summary>When an analysis ends, records one delivery per subscribed webhook of its workspace and queues it.</summary>
public sealed class WebhookDispatcher(SystemDbContextFactory system, IBackgroundJobClient jobs, PublicLinks links)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task AnalysisFinishedAsync(Guid analysisId, CancellationToken cancellationToken = default)
    {
        await using var db = system.CreateDbContext();
        var created = await RecordAsync(db, analysisId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        Enqueue(created);
    }

    /// <summary>
    /// Adds the deliveries of a finished analysis to <paramref name="db"/> without saving, so the caller saves them
    /// in the same transaction as the update that finished the analysis (exactly one run records them).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> RecordAsync(Data.AppDbContext db, Guid analysisId, CancellationToken cancellationToken = default)
    {
        var analysis = await db.Analyses.AsNoTracking().Include(a => a.Project).SingleOrDefaultAsync(a => a.Id == analysisId, cancellationToken);
        if (analysis is null || analysis.Status is not (AnalysisStatus.Succeeded or AnalysisStatus.Failed))
        {
            return [];
        }
        var events = new List<string> { analysis.Status == AnalysisStatus.Succeeded ? WebhookEvents.AnalysisSucceeded : WebhookEvents.AnalysisFailed };
        if (analysis.VerdictPassed == false)
        {
            events.Add(WebhookEvents.VerdictFailed);
        }
        if (analysis.VerdictRegressed == true)
        {
            events.Add(WebhookEvents.VerdictRegressed);
        }
        var hooks = await db.Webhooks.AsNoTracking().Where(h => h.WorkspaceId == analysis.WorkspaceId).ToListAsync(cancellationToken);
        var created = new List<Guid>();
        foreach (var name in events)
        {
            var payload = JsonSerializer.Serialize(Payload(name, analysis), Json);
            foreach (var hook in hooks.Where(h => h.Events.Split(' ').Contains(name)))
            {
                var delivery = new WebhookDelivery { WorkspaceId = analysis.WorkspaceId, WebhookId = hook.Id, Event = name, AnalysisId = analysis.Id, Payload = payload };
                db.WebhookDeliveries.Add(delivery);
                created.Add(delivery.Id);
            }
        }
        return created;
    }

    /// <summary>Queues the attempts of deliveries once they are committed.</summary>
    public void Enqueue(IEnumerable<Guid> deliveries)
    {
        foreach (var id in deliveries)
        {
            WebhookDeliveryJob.Enqueue(jobs, id);
        }
    }

    private object Payload(string name, Analysis analysis)
    {
        var resource = AnalysisResource.From(analysis);
        return new
        {
            @event = name,
            occurredAt = analysis.FinishedAtUtc ?? DateTime.UtcNow,
            analysis = new
            {
                resource.Id,
                resource.Name,
                resource.Status,
                resource.Kind,
                resource.Project,
                resource.Source,
                resource.Error,
                resource.Summary,
            },
            verdict = analysis.VerdictPassed is null ? null : new
            {
                passed = analysis.VerdictPassed.Value,
                failures = (analysis.VerdictFailures ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                regressed = analysis.VerdictRegressed,
            },
            branch = analysis.Branch,
            commit = analysis.Commit,
            baseline = analysis.BaselineId,
            links = new
            {
                self = links.Absolute(resource.Links.Self),
                report = links.Absolute(resource.Links.Report),
                page = links.Absolute(resource.Links.Page),
                compare = analysis.BaselineId is { } baseline ? links.Absolute($"/api/v1/analyses/{analysis.Id}/compare?baseline={baseline}") : null,
            },
        };
    }
}
