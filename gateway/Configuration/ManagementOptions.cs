namespace Gateway.Configuration;

/// <summary>
/// "Gateway:Management": where the gateway's own operational endpoints (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>)
/// listen. A separate listener keeps them off the public one, so an app's own <c>/metrics</c> or <c>/healthz</c> stays
/// reachable through the gateway and nobody outside the cluster reads the gateway's metrics.
/// </summary>
public sealed class ManagementOptions
{
    /// <summary>
    /// ';'-separated <c>http://HOST:PORT</c> addresses (as ASP.NET Core's <c>urls</c>), e.g. <c>http://0.0.0.0:9090</c>.
    /// Empty: no management listener; health and readiness answer under <c>Gateway:BasePath</c> on the public listener
    /// and there are no metrics.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>The configured addresses, trimmed, without empty entries.</summary>
    public IReadOnlyList<string> UrlList =>
        (Urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Enabled => UrlList.Count > 0;
}
