using Gateway.Hosting;
using Microsoft.AspNetCore.Connections;

// --help, --version, --check-config, --probe URL, --check-cognito (GatewayCommandLine); anything else runs the gateway.
if (GatewayCommandLine.TryRun(args, out var commandExitCode))
{
    return commandExitCode;
}

var stopping = CancellationToken.None;
try
{
    var app = GatewayApp.Build(args);
    // Read now: when starting fails, Run() has disposed the app (and its services) before the exception gets here.
    stopping = app.Lifetime.ApplicationStopping;
    app.Run();
    return GatewayCommandLine.Success;
}
catch (GatewayConfigurationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return GatewayCommandLine.InvalidConfiguration;
}
catch (IOException ex) when (ex.InnerException is AddressInUseException)
{
    // Kestrel's message names the address ("Failed to bind to address http://0.0.0.0:8080: address already in use.").
    Console.Error.WriteLine(ex.Message + " Choose a free port: --urls http://0.0.0.0:PORT (or ASPNETCORE_HTTP_PORTS) for the public listener, Gateway:Management:Urls for the management listener.");
    return GatewayCommandLine.Failure;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // SIGTERM (or Ctrl+C) arrived while the gateway was still starting, e.g. waiting for an unreachable Redis: the host
    // gives up starting with this exception. A stop that was asked for is a clean exit, not a crash (exit code 134).
    return GatewayCommandLine.Success;
}
