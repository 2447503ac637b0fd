using Gateway.Hosting;

try
{
    GatewayApp.Build(args).Run();
    return 0;
}
catch (GatewayConfigurationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
