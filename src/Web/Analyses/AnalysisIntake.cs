using System.Net;
using System.Net.Sockets;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Analyses;

/// <summary>Turns an upload or a registry reference into a queued analysis; the API and the pages share it.</summary>
public sealed class AnalysisIntake(
    IDbContextFactory<AppDbContext> dbFactory,
    BlobStore blobs,
    AnalysisQueue queue,
    ResolvedSettings settings,
    IDataProtectionProvider protection)
{
    /// <summary>Streams the tarball into the blob store (hashing as it goes), then queues its analysis.</summary>
    public async Task<Analysis> FromUploadAsync(Stream body, string? name, string? project, CancellationToken cancellationToken)
    {
        var blob = await blobs.WriteAsync(body, settings.MaxUploadBytes, cancellationToken);
        var analysis = new Analysis
        {
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Upload,
            SourceReference = Clip(string.IsNullOrWhiteSpace(name) ? $"upload {blob.Digest[7..19]}.tar" : name.Trim(), 2048),
            Name = string.IsNullOrWhiteSpace(name) ? null : Clip(name.Trim(), 512),
            InputDigest = blob.Digest,
            ProgressPhase = "queued",
        };
        return await SaveAndQueueAsync(analysis, project, cancellationToken);
    }

    /// <summary>Validates the reference, platform and target address, then queues a registry pull.</summary>
    public async Task<Analysis> FromRegistryAsync(RegistryAnalysis request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw new IntakeException("'image' is required: a reference such as registry.example.com/team/app:1.2 or …@sha256:…");
        }
        RegistryReference reference;
        try
        {
            reference = RegistryReference.Parse(request.Image.Trim());
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidImageException or FormatException)
        {
            throw new IntakeException($"'{request.Image}' is not an image reference: {ex.Message}");
        }
        string? platform = null;
        if (!string.IsNullOrWhiteSpace(request.Platform))
        {
            try
            {
                platform = Platform.Parse(request.Platform.Trim()).ToString();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidImageException or FormatException)
            {
                throw new IntakeException($"'{request.Platform}' is not a platform (os/arch[/variant], e.g. linux/amd64): {ex.Message}");
            }
        }
        if (!settings.AllowPrivateNetworkTargets)
        {
            await RefusePrivateTargetsAsync(reference.Host, cancellationToken);
        }

        var analysis = new Analysis
        {
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Registry,
            SourceReference = reference.ToString(),
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : Clip(request.Name.Trim(), 512),
            Platform = platform,
            ProgressPhase = "queued",
            ProtectedCredentials = request.Username is { Length: > 0 } user
                ? protection.CreateProtector(AnalysisJob.CredentialsPurpose).Protect($"{user}:{request.Password}")
                : null,
        };
        var project = string.IsNullOrWhiteSpace(request.Project) ? $"{reference.Host}/{reference.Repository}" : request.Project;
        return await SaveAndQueueAsync(analysis, project, cancellationToken);
    }

    private async Task<Analysis> SaveAndQueueAsync(Analysis analysis, string? project, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(project))
        {
            analysis.ProjectId = await ProjectIdAsync(db, Clip(project.Trim(), 512), cancellationToken);
        }
        db.Analyses.Add(analysis);
        await db.SaveChangesAsync(cancellationToken);
        queue.Enqueue(analysis.Id);
        return analysis;
    }

    private static async Task<Guid> ProjectIdAsync(AppDbContext db, string name, CancellationToken cancellationToken)
    {
        var existing = await db.Projects.Where(p => p.Name == name).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(cancellationToken);
        if (existing is { } id)
        {
            return id;
        }
        var project = new Project { Name = name };
        db.Projects.Add(project);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return project.Id;
        }
        catch (DbUpdateException)
        {
            // Created meanwhile by another request: use that one.
            db.Entry(project).State = EntityState.Detached;
            return await db.Projects.Where(p => p.Name == name).Select(p => p.Id).SingleAsync(cancellationToken);
        }
    }

    private static async Task RefusePrivateTargetsAsync(string host, CancellationToken cancellationToken)
    {
        var name = host.Split(':')[0].Trim('[', ']');
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(name, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(name, cancellationToken);
        }
        catch (SocketException)
        {
            throw new IntakeException($"the registry host '{name}' does not resolve");
        }
        if (addresses.Any(IsPrivate))
        {
            throw new IntakeException($"the registry host '{name}' is a private or loopback address; set LayerLens:Security:AllowPrivateNetworkTargets to allow it");
        }
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
        {
            return true;
        }
        var b = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork && (b[0] == 10 || b[0] == 0
            || b[0] == 172 && b[1] >= 16 && b[1] <= 31
            || b[0] == 192 && b[1] == 168
            || b[0] == 169 && b[1] == 254
            || b[0] == 100 && b[1] >= 64 && b[1] <= 127);
    }

    private static string Clip(string value, int max) => value.Length > max ? value[..max] : value;
}

/// <summary>A registry analysis as the API and the page ask for it.</summary>
public sealed record RegistryAnalysis(string? Image, string? Platform, string? Name, string? Project, string? Username, string? Password);

/// <summary>Input the service refuses, with a message that says what to send instead.</summary>
public sealed class IntakeException(string message) : Exception(message);
