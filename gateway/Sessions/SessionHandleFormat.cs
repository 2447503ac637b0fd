using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Redis store: the cookie carries only the session handle (43 characters of a 256-bit random value).
/// The cookie handler wraps the handle in a one-claim ticket; this format writes and reads just the handle.
/// Anything that is not a well-formed handle means "not signed in".
/// </summary>
internal sealed class SessionHandleFormat(string scheme) : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>The claim type ASP.NET Core's cookie handler uses for the session-store key.</summary>
    private static string SessionIdClaim => CookieSessionIdClaim.Type;

    public string Protect(AuthenticationTicket data) => Protect(data, purpose: null);

    public string Protect(AuthenticationTicket data, string? purpose)
    {
        var handle = data.Principal.FindFirst(SessionIdClaim)?.Value;
        if (handle is null || !SessionHandle.IsWellFormed(handle))
        {
            throw new InvalidOperationException("Server-side sessions need a ticket store: the ticket has no session handle.");
        }

        return handle;
    }

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || !SessionHandle.IsWellFormed(protectedText))
        {
            return null;
        }

        var identity = new ClaimsIdentity([new Claim(SessionIdClaim, protectedText)], scheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), scheme);
    }
}

internal static class SessionHandle
{
    public const int Length = 43;

    public static string Create() =>
        Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string value)
    {
        if (value.Length != Length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// The claim type in which ASP.NET Core's cookie handler puts the session-store key of a server-side session, learned
/// once by asking the handler itself (it keeps the name private): a sign-in on a scratch request, with a ticket store
/// and a ticket format that only record what they are given.
/// </summary>
internal static class CookieSessionIdClaim
{
    private const string ProbeKey = "probe-session-key";

    private static readonly Lazy<string> Learned = new(Learn);

    public static string Type => Learned.Value;

    private static string Learn()
    {
        var format = new RecordingFormat();
        var options = new CookieAuthenticationOptions { SessionStore = new RecordingStore(), TicketDataFormat = format, Events = new CookieAuthenticationEvents() };
        new PostConfigureCookieAuthenticationOptions(new EphemeralDataProtectionProvider()).PostConfigure("probe", options);
        var handler = new CookieAuthenticationHandler(new FixedOptions(options), NullLoggerFactory.Instance, UrlEncoder.Default);
        var context = new DefaultHttpContext();

        // Everything the sign-in awaits completes at once (recording store, default events): no thread is blocked.
        handler.InitializeAsync(new AuthenticationScheme("probe", null, typeof(CookieAuthenticationHandler)), context).GetAwaiter().GetResult();
        handler.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity("probe")), new AuthenticationProperties()).GetAwaiter().GetResult();
        return format.ClaimType ?? throw new InvalidOperationException("The cookie handler wrote no session-key claim: server-side sessions cannot work with this ASP.NET Core version.");
    }

    private sealed class RecordingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public string? ClaimType { get; private set; }

        public string Protect(AuthenticationTicket data) => Protect(data, purpose: null);

        public string Protect(AuthenticationTicket data, string? purpose)
        {
            ClaimType ??= data.Principal.Claims.FirstOrDefault(c => c.Value == ProbeKey)?.Type;
            return ProbeKey;
        }

        public AuthenticationTicket? Unprotect(string? protectedText) => null;

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose) => null;
    }

    private sealed class RecordingStore : ITicketStore
    {
        public Task<string> StoreAsync(AuthenticationTicket ticket) => Task.FromResult(ProbeKey);

        public Task RenewAsync(string key, AuthenticationTicket ticket) => Task.CompletedTask;

        public Task<AuthenticationTicket?> RetrieveAsync(string key) => Task.FromResult<AuthenticationTicket?>(null);

        public Task RemoveAsync(string key) => Task.CompletedTask;
    }

    private sealed class FixedOptions(CookieAuthenticationOptions options) : IOptionsMonitor<CookieAuthenticationOptions>
    {
        public CookieAuthenticationOptions CurrentValue => options;

        public CookieAuthenticationOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<CookieAuthenticationOptions, string?> listener) => null;
    }
}
