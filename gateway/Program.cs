using Gateway.Hosting;

if (CheckCognitoCommand.Requested(args))
{
    return CheckCognitoCommand.Run(args, Console.Out, Console.Error);
}

var stopping = CancellationToken.None;
try
{
    var app = GatewayApp.Build(args);
    // Read now: when starting fails, Run() has disposed the app (and its services) before the exception gets here.
    stopping = app.Lifetime.ApplicationStopping;
    app.Run();
    return 0;
}
catch (GatewayConfigurationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // SIGTERM (or Ctrl+C) arrived while the gateway was still starting, e.g. waiting for an unreachable Redis: the host
    // gives up starting with this exception. A stop that was asked for is a clean exit, not a crash (exit code 134).
    return 0;
}
