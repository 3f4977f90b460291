using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images.Registry;
using Prometheus;

namespace LayerLens.Web.Metrics;

/// <summary>
/// The process's Prometheus metrics, in a registry of its own (not prometheus-net's static default, so two apps
/// hosted in one test process do not add up). Counters and gauges are this process's; the queue depth is the
/// database's, read when scraped.
/// </summary>
public sealed class LayerLensMetrics
{
    public LayerLensMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        QueueDepth = factory.CreateGauge("layerlens_queue_depth", "Analyses waiting in the queue (all workspaces), read from the database when scraped.");
        Running = factory.CreateGauge("layerlens_analyses_running", "Analyses this process is running now.");
        Duration = factory.CreateHistogram("layerlens_analysis_duration_seconds", "Wall time of one analysis run, by kind and outcome.",
            new HistogramConfiguration
            {
                LabelNames = ["kind", "outcome"],
                Buckets = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
            });
        BytesRead = factory.CreateCounter("layerlens_bytes_read_total", "Image bytes (compressed layer and archive bytes) read by analyses in this process.");
        Failures = factory.CreateCounter("layerlens_analysis_failures_total", "Analyses that failed in this process, by cause.",
            new CounterConfiguration { LabelNames = ["cause"] });
    }

    public CollectorRegistry Registry { get; }

    public Gauge QueueDepth { get; }

    public Gauge Running { get; }

    public Histogram Duration { get; }

    public Counter BytesRead { get; }

    public Counter Failures { get; }

    /// <summary>A failure's cause for the <c>cause</c> label: a few fixed values, never a message (labels must stay few).</summary>
    public static string CauseOf(Exception? ex) => ex switch
    {
        null => "deadline",
        RegistryException => "registry",
        InvalidImageException or InvalidDataException => "invalid_image",
        ContextArchiveException or DockerfileParseException or ArgumentException => "invalid_input",
        IOException => "io",
        _ => "internal",
    };
}
