using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Configuration;

/// <summary>
/// One options class bound to one configuration section. Several classes may share a section ("Gateway" holds the keys
/// of a few features side by side). Registered as a service so the start-up check can find every feature without
/// knowing any of them.
/// </summary>
/// <param name="Path">The section, e.g. "Gateway:Session".</param>
/// <param name="SchemaType">The shape the section's keys must have (usually the options class itself).</param>
/// <param name="CheckKeys">Whether unknown keys under the section are errors (false for sections another library reads).</param>
/// <param name="Validate">Binds the options and runs their validators; returns the problems.</param>
internal sealed record BoundOptionsSection(string Path, Type OptionsType, Type SchemaType, bool CheckKeys, Func<IServiceProvider, IReadOnlyList<string>> Validate);

internal static class BoundOptionsServiceCollectionExtensions
{
    /// <summary>
    /// <c>AddOptions&lt;T&gt;().Bind(section).ValidateOnStart()</c> with <typeparamref name="TValidator"/>, and the section
    /// recorded for the start-up check (unknown keys, value formats, every feature's problems in one message).
    /// </summary>
    public static IServiceCollection AddBoundOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string path, bool checkKeys = true)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(path)).ValidateOnStart();

        // Bound once: these settings take effect at start-up only (a reload that changes them is reported as "restart
        // needed"). Without this, IOptionsMonitor would re-bind and re-validate inside the configuration's reload callback,
        // and an invalid edit of the --config file would throw there instead of being reported.
        services.RemoveAll<IOptionsChangeTokenSource<TOptions>>();
        return services.AddValidatedSection<TOptions, TValidator>(path, typeof(TOptions), checkKeys);
    }

    /// <summary>For options that are filled by code rather than the binder: registers the validator and the key schema only.</summary>
    public static IServiceCollection AddValidatedSection<TOptions, TValidator>(this IServiceCollection services, string path, Type schemaType, bool checkKeys = true)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddSingleton(new BoundOptionsSection(path, typeof(TOptions), schemaType, checkKeys, ValidateNow<TOptions>));
        return services;
    }

    private static IReadOnlyList<string> ValidateNow<TOptions>(IServiceProvider services)
        where TOptions : class
    {
        try
        {
            _ = services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(Options.DefaultName);
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the value it could not convert (never a secret: those are strings). The key
            // check reports such values first, with the valid choices; this is the fallback for a format it does not know.
            return [ex.Message + " Fix the value's format (durations look like '08:00:00', lists use :0, :1, … keys)."];
        }
    }
}

/// <summary>Turns a problem list into an options validation result.</summary>
internal static class ValidationProblems
{
    public static ValidateOptionsResult ToResult(this List<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
}
