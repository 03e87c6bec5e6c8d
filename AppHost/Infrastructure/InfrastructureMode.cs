using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace OrderSystem.AppHost.Infrastructure;

/// <summary>How RabbitMQ and PostgreSQL run: as containers, or as local processes from the installed packages.</summary>
internal enum InfrastructureMode
{
    Containers,
    Local,
}

internal static class InfrastructureModeDetection
{
    /// <summary>Configuration key that forces the mode: <c>containers</c>, <c>local</c> or <c>auto</c> (the default).</summary>
    public const string ConfigurationKey = "InfrastructureMode";

    public static InfrastructureMode Resolve(IConfiguration configuration)
    {
        var forced = configuration[ConfigurationKey];
        return forced?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => ContainerRuntimeIsHealthy() ? InfrastructureMode.Containers : InfrastructureMode.Local,
            "containers" or "container" => InfrastructureMode.Containers,
            "local" => InfrastructureMode.Local,
            _ => throw new InvalidOperationException(
                $"{ConfigurationKey} is '{forced}': use 'auto', 'containers' or 'local'."),
        };
    }

    /// <summary>
    /// A client alone is not enough (our machines have the docker CLI and no engine): the runtime must answer
    /// <c>info</c>. Aspire's own choice of runtime (ASPIRE_CONTAINER_RUNTIME, docker by default) is respected.
    /// </summary>
    private static bool ContainerRuntimeIsHealthy()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } r ? r : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return false;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
