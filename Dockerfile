# Thin wrapper around the same `dotnet publish` that .ci/run exercises.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY appsettings/appsettings.json appsettings/
COPY gateway/ gateway/
RUN dotnet publish gateway/Gateway.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080
# /healthz, /readyz and /metrics on their own port, off the public listener (README "Operations").
ENV Gateway__Management__Urls=http://0.0.0.0:9090
EXPOSE 8080 9090
# The aspnet image's unprivileged user.
USER $APP_UID
ENTRYPOINT ["dotnet", "Gateway.dll"]
