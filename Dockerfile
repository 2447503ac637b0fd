# The gateway image: `dotnet publish` (as .ci/run does), then Ubuntu chiseled ASP.NET Core runtime: no shell, no
# package manager, non-root. Base images pinned to exact versions (the SDK and runtime the tests run on); bump both
# together, or pin by digest (`…@sha256:…`) for byte-for-byte rebuilds. tests/Gateway.Tests/ContainerTests.cs checks
# that this file's paths, user, ports and health check match the published output.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY gateway/Gateway.csproj gateway/
RUN dotnet restore gateway/Gateway.csproj
COPY appsettings/appsettings.json appsettings/
COPY gateway/ gateway/
RUN dotnet publish gateway/Gateway.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-noble-chiseled
WORKDIR /app
COPY --from=build /app .
# Public listener (the routes, /oauth2/*).
ENV ASPNETCORE_HTTP_PORTS=8080
# Management listener: /healthz, /readyz and /metrics on their own port, off the public one (README "Operations").
ENV Gateway__Management__Urls=http://0.0.0.0:9090
# One JSON object per log line, with a UTC timestamp.
ENV Logging__Console__FormatterName=json
ENV Logging__Console__FormatterOptions__TimestampFormat=yyyy-MM-ddTHH:mm:ss.fffZ
ENV Logging__Console__FormatterOptions__UseUtcTimestamp=true
EXPOSE 8080 9090
# APP_UID of the aspnet images (the chiseled ones have no root shell anyway); deploy/kubernetes runs as the same.
USER 1654
# No shell or curl in the image: the gateway probes itself (exit 0 on a 2xx answer). Liveness, so an identity-provider
# outage does not mark the container unhealthy; compose and Kubernetes ask /readyz for readiness.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "Gateway.dll", "--probe", "http://127.0.0.1:9090/healthz"]
ENTRYPOINT ["dotnet", "Gateway.dll"]
