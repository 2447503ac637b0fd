using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Yarp.ReverseProxy.Model;

namespace Gateway.Authentication;

/// <summary>
/// Hints for the hosted UI / managed login on the authorize request. <c>identity_provider</c> or <c>idp_identifier</c>
/// (Cognito; the first level that sets either wins): what <c>/oauth2/sign_in</c> put in the challenge's parameters
/// (an allowed <c>?identity_provider=</c>, or the hints of the route <c>rd</c> points to), else the route whose request
/// started the sign-in (<c>Gateway.IdentityProvider</c> / <c>Gateway.IdpIdentifier</c>), else
/// <c>Gateway:Cognito:IdentityProvider</c> / <c>IdpIdentifier</c>. <c>login_hint</c>, <c>lang</c> and <c>prompt</c> come
/// only from <c>/oauth2/sign_in</c>, already validated there. With <c>Gateway:Apps</c>, an app's defaults and allowed
/// names are those of its own <c>Cognito</c> section.
/// </summary>
internal sealed class SignInHints(
    IdentityProviderSettings provider,
    Microsoft.Extensions.Options.IOptions<GatewayOptions> options,
    IdentityProvider.AppProviders? providers = null)
{
    public const string IdentityProvider = "identity_provider";
    public const string IdpIdentifier = "idp_identifier";
    public const string LoginHint = "login_hint";
    public const string Lang = "lang";
    public const string Prompt = "prompt";

    private readonly string? _defaultIdentityProvider = Blank(options.Value.Cognito?.IdentityProvider);
    private readonly string? _defaultIdpIdentifier = Blank(options.Value.Cognito?.IdpIdentifier);

    /// <summary>Names <c>/oauth2/sign_in?identity_provider=</c> accepts (exact match).</summary>
    public IReadOnlySet<string> Allowed { get; } =
        (options.Value.Cognito?.AllowedIdentityProviders ?? []).Select(n => n.Trim()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The names the request's app accepts (<see cref="Allowed"/> for the top-level provider).</summary>
    public bool AllowedFor(HttpContext context, string name) =>
        providers?.Of(context) is { App.IsDefault: false } app
            ? (app.App.Options!.Cognito?.AllowedIdentityProviders ?? []).Any(n => string.Equals(n.Trim(), name, StringComparison.Ordinal))
            : Allowed.Contains(name);

    /// <summary>Copies the hints of a route (e.g. the one <c>rd</c> points to) into a challenge's parameters.</summary>
    public static void FromRoute(RouteSettings settings, AuthenticationProperties properties)
    {
        if (settings.IdentityProvider is not null || settings.IdpIdentifier is not null)
        {
            properties.SetParameter(IdentityProvider, settings.IdentityProvider);
            properties.SetParameter(IdpIdentifier, settings.IdpIdentifier);
        }
    }

    public void Apply(RedirectContext context)
    {
        var properties = context.Properties;
        var message = context.ProtocolMessage;
        var app = providers?.ByScheme(context.Scheme.Name);
        var dialect = app?.Settings.Dialect ?? provider.Dialect;
        if (dialect == ProviderDialect.Cognito)
        {
            string? identityProvider;
            string? idpIdentifier;
            if (properties.Parameters.ContainsKey(IdentityProvider) || properties.Parameters.ContainsKey(IdpIdentifier))
            {
                identityProvider = properties.GetParameter<string>(IdentityProvider);
                idpIdentifier = properties.GetParameter<string>(IdpIdentifier);
            }
            else if (RouteSettings.Of(context.HttpContext) is { } settings &&
                     (settings.IdentityProvider is not null || settings.IdpIdentifier is not null))
            {
                identityProvider = settings.IdentityProvider;
                idpIdentifier = settings.IdpIdentifier;
            }
            else if (app is { App.IsDefault: false })
            {
                identityProvider = Blank(app.App.Options!.Cognito?.IdentityProvider);
                idpIdentifier = Blank(app.App.Options!.Cognito?.IdpIdentifier);
            }
            else
            {
                identityProvider = _defaultIdentityProvider;
                idpIdentifier = _defaultIdpIdentifier;
            }

            SetIfPresent(message, IdentityProvider, identityProvider);
            SetIfPresent(message, IdpIdentifier, idpIdentifier);
        }

        SetIfPresent(message, LoginHint, properties.GetParameter<string>(LoginHint));

        // Cognito's managed login reads lang; standard OpenID Connect providers read ui_locales.
        SetIfPresent(message, dialect == ProviderDialect.Cognito ? Lang : "ui_locales", properties.GetParameter<string>(Lang));
        SetIfPresent(message, Prompt, properties.GetParameter<string>(Prompt));
    }

    private static void SetIfPresent(Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectMessage message, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            message.SetParameter(name, value);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
