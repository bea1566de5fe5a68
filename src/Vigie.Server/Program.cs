using Vigie.Server.Cli;

return await VigieCli.RunAsync(args);
