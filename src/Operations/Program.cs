using OrderSystem.Operations;

return await OperationsCommandLine.RunAsync(args, Terminal.System);
