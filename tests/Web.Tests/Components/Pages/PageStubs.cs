using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace LayerLens.Web.Tests.Components.Pages;

/// <summary>A job client for pages under test: rendering a page must enqueue nothing.</summary>
internal sealed class NoJobs : IBackgroundJobClient
{
    public string Create(Job job, IState state) => throw new InvalidOperationException("pages under test enqueue nothing");

    public bool ChangeState(string jobId, IState state, string expectedState) => false;
}

/// <summary>A server with no addresses, for services that build absolute links (a public base URL is configured).</summary>
internal sealed class NoServer : IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
