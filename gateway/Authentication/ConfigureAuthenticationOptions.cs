using Gateway.Configuration;
using Gateway.IdentityProvider;
using Gateway.Paths;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Authentication;

/// <summary>Maps the gateway's options onto ASP.NET Core's OpenID Connect handler options (code + PKCE, no claim renaming).</summary>
internal sealed class ConfigureOpenIdConnectOptions(
    AppProviders providers,
    GatewayPaths paths,
    CrossHostSettings crossHost,
    TimeProvider time) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    public void Configure(string? name, OpenIdConnectOptions options)
    {
        // One scheme per app (Gateway.Oidc for the default app, Gateway.Oidc.NAME for Gateway:Apps:NAME).
        if (providers.ByScheme(name) is not { } app)
        {
            return;
        }

        var provider = app.Settings;
        var metadata = app.Metadata;
        options.Authority = provider.Authority.AbsoluteUri;
        options.MetadataAddress = provider.MetadataAddress.AbsoluteUri;
        options.RequireHttpsMetadata = !provider.AuthorityIsLoopbackHttp;
        options.ConfigurationManager = metadata;
        options.ClientId = provider.ClientId;
        options.ClientSecret = provider.ClientSecret;
        options.ResponseType = "code";
        options.ResponseMode = "query";
        options.UsePkce = true;
        options.Scope.Clear();
        foreach (var scope in provider.Scopes)
        {
            options.Scope.Add(scope);
        }

        options.CallbackPath = paths.Callback;

        // Keep the handler's other listening paths under our prefix so they never shadow backend paths.
        options.SignedOutCallbackPath = paths.SignedOut;
        options.RemoteSignOutPath = paths.RemoteSignOut;
        options.SignInScheme = GatewaySchemes.Session;
        options.SaveTokens = true;
        options.MapInboundClaims = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.UseTokenLifetime = false;
        options.DisableTelemetry = true;
        options.TimeProvider = time;
        options.EventsType = typeof(GatewayOpenIdConnectEvents);

        options.TokenValidationParameters.NameClaimType = provider.UsernameClaim;
        options.TokenValidationParameters.RoleClaimType = provider.GroupsClaim;
        options.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1);
        options.TokenValidationParameters.ValidAudience = provider.ClientId;
        options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, keyId, _) => metadata.SigningKeysFor(keyId);
        if (provider.Dialect == ProviderDialect.Cognito)
        {
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
        }

        // The same list a refresh applies, so a session looks the same before and after its first refresh.
        options.ClaimActions.DeleteClaims(RefreshedIdTokenValidator.DroppedClaims);

        // The handler deletes acr by default; Cognito ID tokens carry it (and amr) and policies may require it.
        options.ClaimActions.Remove("acr");

        // Each app's pending sign-ins under its own cookie names; its state and nonce are protected under its scheme's name.
        options.CorrelationCookie.Name = app.App.IsDefault ? paths.CorrelationCookie : app.App.CookieName + GatewayPaths.CorrelationCookieSuffix;
        options.NonceCookie.Name = app.App.IsDefault ? paths.NonceCookie : app.App.CookieName + GatewayPaths.NonceCookieSuffix;
        foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
        {
            // The callback is a top-level GET redirect (response_mode=query), so Lax is enough and works on plain-http loopback.
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            cookie.HttpOnly = true;

            // Site-wide instead of the callback path: every request that can start a sign-in (any protected page) must see
            // the pending ones to keep their number bounded (PendingSignIns). They never reach a backend (GatewayCookieFilter).
            cookie.Path = "/";

            // On the session cookie's domain (Gateway:Session:CookieDomain) as well: the host that serves the callback (the
            // central auth host, PublicOrigin) need not be the one the sign-in started on, and these must come back to it.
            cookie.Domain = crossHost.Default.CookieDomain;
        }
    }

    public void Configure(OpenIdConnectOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);
}
