using System.Text.RegularExpressions;

namespace Gateway.Configuration;

/// <summary>
/// What a sign-in hint may look like, wherever it comes from (configuration, route metadata, <c>/oauth2/sign_in</c>
/// query): Cognito's own limits, tight enough that a value can never smuggle anything into the authorize URL.
/// </summary>
internal static partial class SignInHintRules
{
    /// <summary>The longest <c>login_hint</c> passed on (an email address is at most 254 characters).</summary>
    public const int MaxLoginHintLength = 254;

    /// <summary>A Cognito identity provider name: 1-32 letters, digits, punctuation or symbols, no spaces (<c>Google</c>, <c>CorpSAML</c>, <c>COGNITO</c>).</summary>
    public static bool IsProviderName(string value) => ProviderNamePattern().IsMatch(value);

    /// <summary>A Cognito IdP identifier: 1-40 characters of letters, digits, <c>_ + = . @ -</c> (inner spaces allowed), e.g. an email domain.</summary>
    public static bool IsIdpIdentifier(string value) => IdpIdentifierPattern().IsMatch(value);

    /// <summary>1-254 printable ASCII characters (a username or email address), no leading or trailing space.</summary>
    public static bool IsLoginHint(string value) =>
        value.Length is > 0 and <= MaxLoginHintLength && value[0] != ' ' && value[^1] != ' ' && value.All(c => c is >= ' ' and <= '~');

    /// <summary>A BCP 47-style language tag as managed login takes it: <c>en</c>, <c>fr</c>, <c>pt-BR</c>, <c>zh-TW</c>.</summary>
    public static bool IsLanguage(string value) => LanguagePattern().IsMatch(value);

    [GeneratedRegex(@"^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}\z")]
    private static partial Regex ProviderNamePattern();

    [GeneratedRegex(@"^[\w+=.@-](?:[\w +=.@-]{0,38}[\w+=.@-])?\z")]
    private static partial Regex IdpIdentifierPattern();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}\z")]
    private static partial Regex LanguagePattern();
}
