using Gateway.Demo.Emulator;

namespace Gateway.Demo;

/// <summary>The <c>Demo</c> section of demo.json: where the emulator and sample app listen, and the emulator's pool.</summary>
internal sealed record DemoSettings(string EmulatorUrl, CognitoEmulatorOptions Emulator, string SampleAppUrl)
{
    public const string SectionName = "Demo";

    public static DemoSettings Load(IConfiguration configuration)
    {
        var demo = configuration.GetSection(SectionName);
        var emulatorSection = demo.GetSection("Emulator");
        var emulator = emulatorSection.Get<CognitoEmulatorOptions>() ?? new CognitoEmulatorOptions();

        // "custom:department" contains the configuration key separator, so the binder cannot put it in a dictionary:
        // read each user's Attributes section as flattened relative paths instead.
        emulator.Users = emulatorSection.GetSection("Users").GetChildren().Select((section, index) =>
        {
            var user = index < emulator.Users.Count ? emulator.Users[index] : new EmulatorUser();
            user.Attributes = section.GetSection("Attributes")
                .AsEnumerable(makePathsRelative: true)
                .Where(p => p.Value is not null)
                .ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
            return user;
        }).ToList();

        return new DemoSettings(
            emulatorSection["Url"] ?? "http://127.0.0.1:9011",
            emulator,
            demo["SampleApp:Url"] ?? "http://127.0.0.1:9012");
    }
}
