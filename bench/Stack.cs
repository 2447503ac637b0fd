using Gateway.Demo.Emulator;

namespace Gateway.Bench;

/// <summary>The Cognito stand-in's pool, app client and the one user the bench signs in as.</summary>
internal static class Stack
{
    public const string Region = "eu-west-1";
    public const string UserPoolId = "eu-west-1_BenchPool1";
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-secret-not-for-production";
    public const string Email = "alice@example.com";
    public const string Password = "Passw0rd!";

    /// <summary>
    /// Builds the stand-in with an app client whose callback URLs are the gateways' (ports reserved beforehand), issuing
    /// access and ID tokens valid for <paramref name="tokenLifetime"/>.
    /// </summary>
    public static WebApplication BuildEmulator(IEnumerable<string> gatewayUrls, TimeSpan tokenLifetime)
    {
        var urls = gatewayUrls.ToList();
        var options = new CognitoEmulatorOptions
        {
            Region = Region,
            UserPoolId = UserPoolId,
            AccessTokenLifetime = tokenLifetime,
            IdTokenLifetime = tokenLifetime,
            Users = [new EmulatorUser { Username = "alice", Email = Email, Password = Password, Groups = ["admins", "staff"] }],
            Clients =
            [
                new EmulatorClient
                {
                    ClientId = ClientId,
                    ClientSecret = ClientSecret,
                    CallbackUrls = urls.Select(u => u + "/oauth2/callback").ToList(),
                    SignOutUrls = urls.Select(u => u + "/").ToList(),
                },
            ],
        };
        return CognitoEmulator.Build(options, "http://127.0.0.1:0", timeProvider: null, b => b.Logging.ClearProviders());
    }
}
