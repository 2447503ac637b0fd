using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

internal static class SessionServiceCollectionExtensions
{
    /// <summary>Session storage (cookie or Redis), the shared Data Protection key ring, refresh and the per-instance session cache.</summary>
    public static IServiceCollection AddGatewaySessions(this IServiceCollection services, GatewayOptions options)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<SessionRevocations>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRevocations>());
        services.AddSingleton<SessionCache>();
        services.AddSingleton<SessionSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionSignals>());
        services.AddSingleton<TokenRefresher>();
        services.AddSingleton<SessionCookieEvents>();
        services.AddSingleton<SessionLiveness>();
        services.AddSingleton<SessionSizeGuard>();
        services.AddSingleton<AccessTokenRetention>();
        services.AddSingleton<SessionFastPath>();
        services.AddSingleton<IPostConfigureOptions<PolicySchemeOptions>>(sp => sp.GetRequiredService<SessionFastPath>());
        services.AddTransient<ValidatedSessionHandler>();
        services.AddAuthentication(auth => auth.AddScheme(ValidatedSessionHandler.SchemeName, scheme => scheme.HandlerType = typeof(ValidatedSessionHandler)));
        services.AddSingleton<IConfigureOptions<CookieAuthenticationOptions>, ConfigureSessionCookieOptions>();
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, CacheSessionTickets>();

        var dataProtection = services.AddDataProtection().SetApplicationName("Gateway");
        var redisConfiguration = options.Redis.Configuration;
        if (!string.IsNullOrWhiteSpace(redisConfiguration))
        {
            services.AddSingleton<RedisCircuitBreaker>();
            services.AddSingleton<RedisConnection>();
            services.AddSingleton(sp => sp.GetRequiredService<RedisConnection>().Multiplexer);
            services.AddStackExchangeRedisCache(cache => cache.InstanceName = options.Redis.KeyPrefix);
            services.AddOptions<RedisCacheOptions>().Configure<RedisConnection>((cache, connection) =>
                cache.ConnectionMultiplexerFactory = () => Task.FromResult(connection.Multiplexer));
            if (string.IsNullOrWhiteSpace(options.DataProtection.KeysPath))
            {
                // The key ring behind the breaker too: start-up with Redis down must not wait on it call after call.
                var keysKey = options.Redis.KeyPrefix + "dataprotection-keys";
                services.AddOptions<KeyManagementOptions>().Configure<RedisConnection, RedisCircuitBreaker>((keys, connection, breaker) =>
                    keys.XmlRepository = new GuardedXmlRepository(new RedisXmlRepository(() => connection.Multiplexer.GetDatabase(), keysKey), connection, breaker));
            }
        }

        if (!string.IsNullOrWhiteSpace(options.DataProtection.KeysPath))
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(options.DataProtection.KeysPath));
        }

        if (options.Session.Store == SessionStoreKind.Redis)
        {
            services.AddSingleton<DistributedTicketStore>();
        }

        return services;
    }
}

/// <summary>The session cookie: HttpOnly, SameSite=Lax, Secure whenever the browser talks https, chunked when large, on Gateway:Session:CookieDomain when set.</summary>
internal sealed class ConfigureSessionCookieOptions(
    IOptions<GatewayOptions> gatewayOptions,
    CrossHostSettings crossHost,
    IServiceProvider services,
    TimeProvider time) : IConfigureNamedOptions<CookieAuthenticationOptions>
{
    public void Configure(string? name, CookieAuthenticationOptions options)
    {
        if (name != GatewaySchemes.Session)
        {
            return;
        }

        var session = gatewayOptions.Value.Session;
        options.Cookie.Name = session.CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Cookie.Path = "/";
        if (crossHost.Default.CookieDomain is { } domain)
        {
            // One session for every host under the domain; sign-out deletes it with the same Domain (the handler builds
            // the deletion from these options), and host-only copies from before the domain was set are deleted too.
            options.Cookie.Domain = domain;
            options.CookieManager = new HostOnlyCookieCleanup(new ChunkingCookieManager());
        }

        var idle = session.IdleTimeout > TimeSpan.Zero && session.IdleTimeout < session.Lifetime;
        options.ExpireTimeSpan = idle ? session.IdleTimeout : session.Lifetime;
        options.SlidingExpiration = idle;
        options.TimeProvider = time;
        options.EventsType = typeof(SessionCookieEvents);

        if (services.GetRequiredService<GatewayApps>() is { Many: true } apps)
        {
            // One scheme, one cookie name per app (the handler asks for the configured name; the manager answers the app's),
            // on top of the host-only clean-up when there is a cookie domain (it works on the app's name it is given).
            options.CookieManager = new AppCookieManager(options.CookieManager as HostOnlyCookieCleanup ?? (ICookieManager)new ChunkingCookieManager(), session.CookieName, apps);
        }

        if (session.Store == SessionStoreKind.Redis)
        {
            options.SessionStore = services.GetRequiredService<DistributedTicketStore>();
            options.TicketDataFormat = new SessionHandleFormat(GatewaySchemes.Session);
        }
    }

    public void Configure(CookieAuthenticationOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);
}

/// <summary>
/// Cookie store: the framework's own ticket format for the session cookie (its Data Protection purpose, its
/// serializer), with decrypted tickets cached for a few seconds by <see cref="CachingTicketDataFormat"/>.
/// </summary>
internal sealed class CacheSessionTickets(IDataProtectionProvider dataProtection, SessionCache cache, IHttpContextAccessor accessor, GatewayApps apps)
    : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name != GatewaySchemes.Session || options.TicketDataFormat is CachingTicketDataFormat || options.SessionStore is not null)
        {
            return;
        }

        // The cookie handler's own defaults (ticket format, chunking cookie manager, …), whichever of the two post-configure
        // steps runs first: it fills in only what is still unset, so running it twice changes nothing.
        new PostConfigureCookieAuthenticationOptions(dataProtection).PostConfigure(name, options);
        var format = apps.Many ? new AppTicketFormat(options.TicketDataFormat, dataProtection, name, apps, accessor) : options.TicketDataFormat;
        options.TicketDataFormat = new CachingTicketDataFormat(format, cache, accessor);
    }
}
