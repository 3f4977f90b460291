using Hangfire;
using Hangfire.Common;
using Hangfire.States;

namespace LayerLens.Web.Tests.Jobs;

/// <summary>Records what would be enqueued instead of running it: the tests check which analyses go back to the queue.</summary>
internal sealed class RecordingJobClient : IBackgroundJobClient
{
    public List<Guid> Enqueued { get; } = [];

    public string Create(Job job, IState state)
    {
        lock (Enqueued)
        {
            Enqueued.Add((Guid)job.Args[0]);
            return Enqueued.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}
