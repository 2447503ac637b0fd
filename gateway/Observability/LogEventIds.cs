namespace Gateway.Observability;

/// <summary>The one registry of log event ids: 1xxx configuration, 2xxx authentication, 3xxx proxy, 4xxx sessions, 5xxx endpoints, 7xxx operations.</summary>
internal static class LogEventIds
{
    public const int PoliciesReloaded = 1003;
    public const int ConfigurationReloadRejected = 1004;
    public const int ConfigFileReloadIgnored = 1005;
    public const int RestartNeeded = 1010;
    public const int StartupOnlyKeyRestored = 1011;

    public const int DiscoveryLoaded = 2001;
    public const int DiscoveryFailed = 2002;
    public const int SigningKeysRefreshed = 2003;
    public const int SigningKeysRefreshFailed = 2004;
    public const int UserSignedIn = 2010;
    public const int SignInFailed = 2011;
    public const int TokenEndpointFailed = 2012;
    public const int RevocationFailed = 2013;
    public const int UserSignedOut = 2014;
    public const int InsecureSignInRefused = 2015;
    public const int BearerTokenRejected = 2020;
    public const int PostPreserved = 2050;
    public const int PostNotPreserved = 2051;
    public const int PreservedPostReplayed = 2052;
    public const int PreservedPostUnavailable = 2053;
    public const int PreservedPostStoreFailed = 2054;

    public const int SpoofedHeaderStripped = 3001;
    public const int BackendFailed = 3002;
    public const int PathRefused = 3010;
    public const int LiveConnectionClosed = 3030;
    public const int LiveConnectionCloseFailed = 3031;
    public const int LiveConnectionRecheckFailed = 3032;

    public const int SessionUnreadable = 4002;
    public const int SessionSignalFailed = 4003;
    public const int TokensRefreshed = 4004;
    public const int RefreshRejected = 4005;
    public const int RefreshUnavailable = 4006;
    public const int SessionExpired = 4007;
    public const int SessionTooLarge = 4008;
    public const int RefreshedIdTokenInvalid = 4009;
    public const int RefreshRejectedWhileValid = 4020;
    public const int RevokedSessionRefused = 4040;
    public const int RevocationNotShared = 4041;
    public const int RevocationsUnreadable = 4042;
    public const int RevocationsRead = 4043;
    public const int RevocationListFull = 4044;
    public const int RedisUnavailable = 4050;
    public const int RedisRecovered = 4051;
    public const int SignOutStoreUnavailable = 4052;

    public const int ReturnUrlRejected = 5001;
    public const int UnhandledException = 5002;
    public const int ForwardAuthDenied = 5010;
    public const int ForwardAuthUnknownPolicy = 5011;
    public const int ForwardAuthUntrustedCaller = 5020;
    public const int SignInHintRejected = 5030;
    public const int SignOutFromOtherOriginRefused = 5040;
    public const int SignOutWithoutProofRefused = 5041;

    // 6000-6099: signed identity assertions and their keys.
    public const int AssertionKeyCreated = 6000;
    public const int AssertionKeyStoreFailed = 6001;
    public const int AssertionKeyUnreadable = 6002;

    // 8000-8049: cross-host sign-in and sign-out.
    public const int SignOutReturnKept = 8000;
    public const int SignOutReturnFollowed = 8001;
    public const int SignOutReturnRefused = 8002;
    public const int SignOutReturnNotPossible = 8003;

    // 7000-7049: the management listener and the command line.
    public const int ManagementListening = 7000;

    // 7050-7199: access log, audit trail, start-up summary, pages.
    public const int AccessLogged = 7050;
    public const int AuditSignedIn = 7060;
    public const int AuditSignInFailed = 7061;
    public const int AuditSignedOut = 7062;
    public const int AuditRefreshFailed = 7063;
    public const int AuditUnauthenticated = 7064;
    public const int AuditForbidden = 7065;
    public const int AuditSpoofedHeader = 7066;
    public const int AuditConfigurationReloaded = 7067;
    public const int AuditConfigurationReloadRejected = 7068;
    public const int StartupSummary = 7100;
    public const int NoRoutesConfigured = 7101;
    public const int RoutesServedByEveryApp = 7102;

    // Apps (Gateway:Apps): 8050-8099.
    public const int OtherAppSessionRefused = 8050;
    public const int NoAppForHost = 8051;
}
