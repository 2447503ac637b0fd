namespace Gateway.Configuration;

/// <summary>
/// Runs, before the app is built, what <c>ValidateOnStart</c> would run when it starts — but all of it, so one message
/// lists every problem of every feature: the key check over all bound sections, then each feature's validators (a
/// feature whose values cannot even be converted is reported by the key check and not validated further).
/// </summary>
internal static class OptionsStartupCheck
{
    /// <param name="configuration">The configuration to check.</param>
    /// <param name="addOptions">Registers every feature's options (the same call the app makes).</param>
    public static List<string> Run(IConfiguration configuration, Action<IServiceCollection, IConfiguration> addOptions)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        addOptions(services, configuration);
        using var provider = services.BuildServiceProvider();
        var sections = provider.GetServices<BoundOptionsSection>().ToList();

        var problems = new List<string>();
        var unbindable = ConfigurationKeyCheck.Check(configuration, sections, problems);
        foreach (var section in sections.Where(s => !unbindable.Contains(s.OptionsType)))
        {
            problems.AddRange(section.Validate(provider));
        }

        return problems;
    }
}
