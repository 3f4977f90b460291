using System.Text.Json;
using LayerLens.Data.Model;
using LayerLens.Web.Api;

namespace LayerLens.Web.Tests.Api;

/// <summary>
/// The API's (and the webhooks') analysis JSON is a contract: the same rows give the same bytes whatever the table
/// layout behind them. The expected lines were written by the code before the analysis row was split into the
/// request/job row and its result rows (commit 158fe89, flat columns), for the same values.
/// </summary>
public sealed class AnalysisResourceContractTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Image_review_running_and_failed_analyses_serialise_as_before_the_split()
    {
        var created = new DateTime(2026, 11, 26, 12, 30, 15, DateTimeKind.Utc);
        var image = new Analysis
        {
            Id = Guid.Parse("11111111-2222-3333-4444-555555555555"),
            Project = new Project { Name = "registry.local/team/api" },
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Registry,
            SourceReference = "registry.local/team/api:1.2",
            RequestedPlatform = "linux/arm64",
            Status = AnalysisStatus.Succeeded,
            CreatedAtUtc = created,
            StartedAtUtc = created.AddSeconds(2),
            FinishedAtUtc = created.AddSeconds(9),
            DurationMilliseconds = 6789,
            Attempts = 1,
            ProgressPhase = "done",
            DockerfilePath = "build/Dockerfile",
            VerdictPassed = false,
            VerdictFailures = "lowestEfficiency highestWastedBytes",
            Image = new ImageResult
            {
                ManifestDigest = "sha256:" + new string('a', 64),
                Platform = "linux/arm64/v8",
                CompressedSizeBytes = 1_000_001,
                SizeBytes = 5_000_000_000,
                FinalBytes = 3_765_432_110,
                WastedBytes = 1_234_567_890,
                DuplicateBytes = 12_345,
                Efficiency = 0.753,
                LayerCount = 7,
                FileCount = 4321,
                WasteItemCount = 12,
            },
        };
        var review = new Analysis
        {
            Id = Guid.Parse("66666666-2222-3333-4444-555555555555"),
            Name = "api review",
            Kind = AnalysisKind.Dockerfile,
            SourceKind = SourceKind.Dockerfile,
            SourceReference = "Dockerfile",
            InputDigest = "sha256:" + new string('d', 64),
            Status = AnalysisStatus.Succeeded,
            CreatedAtUtc = created,
            StartedAtUtc = created.AddSeconds(1),
            FinishedAtUtc = created.AddSeconds(30),
            DurationMilliseconds = 29000,
            Attempts = 2,
            ProgressPhase = "done",
            VerdictPassed = true,
            Review = new ReviewResult
            {
                FindingCount = 6,
                ErrorFindingCount = 1,
                WarningFindingCount = 2,
                InfoFindingCount = 0,
                StyleFindingCount = 3,
                ChangeCount = 2,
                ExpectedOriginalSeconds = 41.5,
                ExpectedRecommendedSeconds = 12.25,
                MeasuredSavingSeconds = 20.125,
                MeasuredEquivalent = true,
            },
        };
        var queued = new Analysis
        {
            Id = Guid.Parse("77777777-2222-3333-4444-555555555555"),
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Registry,
            SourceReference = "registry.local/team/api:1.3",
            RequestedPlatform = "linux/amd64",
            Status = AnalysisStatus.Running,
            CreatedAtUtc = created,
            StartedAtUtc = created.AddSeconds(3),
            Attempts = 1,
            ProgressPhase = "reading layers",
            ProgressLayersDone = 2,
            ProgressLayerCount = 5,
            ProgressBytesRead = 1024,
            ProgressTotalBytes = 4096,
        };
        var failed = new Analysis
        {
            Id = Guid.Parse("88888888-2222-3333-4444-555555555555"),
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Upload,
            SourceReference = "app.tar",
            InputDigest = "sha256:" + new string('e', 64),
            Status = AnalysisStatus.Failed,
            CreatedAtUtc = created,
            FinishedAtUtc = created.AddSeconds(4),
            DurationMilliseconds = 400,
            Error = "layer 3 (sha256:0f…): entry 'etc/../../x' escapes the image root",
            Attempts = 1,
            ProgressPhase = "failed",
        };
        Assert.Equal(Expected.Image, JsonSerializer.Serialize(AnalysisResource.From(image), Json));
        Assert.Equal(Expected.Review, JsonSerializer.Serialize(AnalysisResource.From(review), Json));
        Assert.Equal(Expected.Running, JsonSerializer.Serialize(AnalysisResource.From(queued), Json));
        Assert.Equal(Expected.Failed, JsonSerializer.Serialize(AnalysisResource.From(failed), Json));
    }

    private static class Expected
    {
        public const string Image = """
            {"id":"11111111-2222-3333-4444-555555555555","name":"registry.local/team/api:1.2","status":"succeeded","kind":"image","source":{"kind":"registry","reference":"registry.local/team/api:1.2","platform":"linux/arm64/v8","digest":null},"project":"registry.local/team/api","createdAt":"2026-11-26T12:30:15Z","startedAt":"2026-11-26T12:30:17Z","finishedAt":"2026-11-26T12:30:24Z","error":null,"progress":{"phase":"done","layersDone":null,"layerCount":null,"bytesRead":null,"totalBytes":null},"summary":{"digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","compressedSizeBytes":1000001,"sizeBytes":5000000000,"finalBytes":3765432110,"wastedBytes":1234567890,"duplicateBytes":12345,"efficiency":0.753,"layerCount":7,"fileCount":4321,"wasteItemCount":12,"findingCount":0,"durationMilliseconds":6789,"findingsBySeverity":null,"changeCount":null,"expectedOriginalSeconds":null,"expectedRecommendedSeconds":null,"measuredSavingSeconds":null,"measuredEquivalent":null},"links":{"self":"/api/v1/analyses/11111111-2222-3333-4444-555555555555","report":"/api/v1/analyses/11111111-2222-3333-4444-555555555555/report?format=json","page":"/analyses/11111111-2222-3333-4444-555555555555","cancel":"/api/v1/analyses/11111111-2222-3333-4444-555555555555/cancel","retry":"/api/v1/analyses/11111111-2222-3333-4444-555555555555/retry"},"attempts":1,"verdict":{"passed":false,"failures":["lowestEfficiency","highestWastedBytes"]},"dockerfilePath":"build/Dockerfile"}
            """;

        public const string Review = """
            {"id":"66666666-2222-3333-4444-555555555555","name":"api review","status":"succeeded","kind":"dockerfile","source":{"kind":"dockerfile","reference":"Dockerfile","platform":null,"digest":"sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"},"project":null,"createdAt":"2026-11-26T12:30:15Z","startedAt":"2026-11-26T12:30:16Z","finishedAt":"2026-11-26T12:30:45Z","error":null,"progress":{"phase":"done","layersDone":null,"layerCount":null,"bytesRead":null,"totalBytes":null},"summary":{"digest":null,"compressedSizeBytes":null,"sizeBytes":null,"finalBytes":null,"wastedBytes":null,"duplicateBytes":null,"efficiency":null,"layerCount":null,"fileCount":null,"wasteItemCount":null,"findingCount":6,"durationMilliseconds":29000,"findingsBySeverity":{"error":1,"warning":2,"info":0,"style":3},"changeCount":2,"expectedOriginalSeconds":41.5,"expectedRecommendedSeconds":12.25,"measuredSavingSeconds":20.125,"measuredEquivalent":true},"links":{"self":"/api/v1/analyses/66666666-2222-3333-4444-555555555555","report":"/api/v1/analyses/66666666-2222-3333-4444-555555555555/report?format=json","page":"/analyses/66666666-2222-3333-4444-555555555555","cancel":"/api/v1/analyses/66666666-2222-3333-4444-555555555555/cancel","retry":"/api/v1/analyses/66666666-2222-3333-4444-555555555555/retry"},"attempts":2,"verdict":{"passed":true,"failures":[]},"dockerfilePath":null}
            """;

        public const string Running = """
            {"id":"77777777-2222-3333-4444-555555555555","name":"registry.local/team/api:1.3","status":"running","kind":"image","source":{"kind":"registry","reference":"registry.local/team/api:1.3","platform":"linux/amd64","digest":null},"project":null,"createdAt":"2026-11-26T12:30:15Z","startedAt":"2026-11-26T12:30:18Z","finishedAt":null,"error":null,"progress":{"phase":"reading layers","layersDone":2,"layerCount":5,"bytesRead":1024,"totalBytes":4096},"summary":null,"links":{"self":"/api/v1/analyses/77777777-2222-3333-4444-555555555555","report":"/api/v1/analyses/77777777-2222-3333-4444-555555555555/report?format=json","page":"/analyses/77777777-2222-3333-4444-555555555555","cancel":"/api/v1/analyses/77777777-2222-3333-4444-555555555555/cancel","retry":"/api/v1/analyses/77777777-2222-3333-4444-555555555555/retry"},"attempts":1,"verdict":null,"dockerfilePath":null}
            """;

        public const string Failed = """
            {"id":"88888888-2222-3333-4444-555555555555","name":"app.tar","status":"failed","kind":"image","source":{"kind":"upload","reference":"app.tar","platform":null,"digest":"sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"},"project":null,"createdAt":"2026-11-26T12:30:15Z","startedAt":null,"finishedAt":"2026-11-26T12:30:19Z","error":"layer 3 (sha256:0f\u2026): entry \u0027etc/../../x\u0027 escapes the image root","progress":{"phase":"failed","layersDone":null,"layerCount":null,"bytesRead":null,"totalBytes":null},"summary":null,"links":{"self":"/api/v1/analyses/88888888-2222-3333-4444-555555555555","report":"/api/v1/analyses/88888888-2222-3333-4444-555555555555/report?format=json","page":"/analyses/88888888-2222-3333-4444-555555555555","cancel":"/api/v1/analyses/88888888-2222-3333-4444-555555555555/cancel","retry":"/api/v1/analyses/88888888-2222-3333-4444-555555555555/retry"},"attempts":1,"verdict":null,"dockerfilePath":null}
            """;
    }
}
