using System.Net;
using System.Threading.RateLimiting;

namespace LayerLens.Web.Limits;

/// <summary>
/// Failed sign-ins per client address and account, and per client address alone, in fixed windows. Only failures
/// count, so people who sign in often are never slowed; past either limit the sign-in answers 429 with Retry-After
/// before the password is even checked. Identity's lockout still locks an account after a few failures; this stops
/// one address from guessing on, or spraying one password over many accounts.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccount;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly TimeSpan _window;

    public SignInThrottle(SignInLimits limits)
    {
        _window = TimeSpan.FromSeconds(Math.Max(1, limits.SignInWindowSeconds));
        _perAccount = Create(Math.Max(1, limits.SignInFailuresPerAccount), _window);
        _perAddress = Create(Math.Max(1, limits.SignInFailuresPerAddress), _window);
    }

    /// <summary>How long the caller must wait, or null when they may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? address, string account)
    {
        foreach (var (limiter, key) in Keys(address, account))
        {
            // Zero permits asks "is any left?" without using one.
            using var lease = limiter.AttemptAcquire(key, 0);
            if (!lease.IsAcquired)
            {
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _window;
            }
        }
        return null;
    }

    public void Failed(IPAddress? address, string account)
    {
        foreach (var (limiter, key) in Keys(address, account))
        {
            limiter.AttemptAcquire(key).Dispose();
        }
    }

    private IEnumerable<(PartitionedRateLimiter<string>, string)> Keys(IPAddress? address, string account)
    {
        var ip = address?.ToString() ?? "unknown";
        yield return (_perAddress, ip);
        yield return (_perAccount, $"{ip}|{account.Trim().ToUpperInvariant()}");
    }

    private static PartitionedRateLimiter<string> Create(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        }));

    public void Dispose()
    {
        _perAccount.Dispose();
        _perAddress.Dispose();
    }
}

/// <summary>The sign-in settings of the <c>LayerLens:RateLimits</c> section.</summary>
public sealed class SignInLimits
{
    public int SignInFailuresPerAccount { get; set; } = 10;

    public int SignInFailuresPerAddress { get; set; } = 50;

    public int SignInWindowSeconds { get; set; } = 300;
}
