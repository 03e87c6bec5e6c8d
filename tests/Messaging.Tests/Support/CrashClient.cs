using System.Diagnostics;
using Shouldly;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>tests/Messaging.CrashClient, a separate process that a test can kill (or that kills itself) at a chosen point.</summary>
public static class CrashClient
{
    public static string Path()
    {
        // tests/Messaging.Tests/bin/<Configuration>/net10.0/ → tests/Messaging.CrashClient/bin/<Configuration>/net10.0/
        var own = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = own.Parent!.Name;
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(own.FullName, "..", "..", "..", "..", "Messaging.CrashClient", "bin",
            configuration, own.Name, "OrderSystem.Messaging.CrashClient.dll"));
        File.Exists(path).ShouldBeTrue($"crash client not built at {path}");
        return path;
    }

    public static Process Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) => Start(environment, false, arguments);

    /// <summary>With <paramref name="redirectInput"/> the caller can write to the process's stdin (a held service's go-ahead).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, bool redirectInput, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Path());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    /// <summary>Reads the process's output until a line starting with <paramref name="prefix"/>; false if it ended first.</summary>
    public static async Task<bool> WaitForLineAsync(Process process, string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }
}
