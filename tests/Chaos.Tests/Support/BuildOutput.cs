namespace OrderSystem.Chaos.Tests.Support;

/// <summary>Where this test runs from: the repository (whose <c>src/*/bin</c> hold the services) and the build configuration.</summary>
internal static class BuildOutput
{
    /// <summary>The folder of OrderSystem.sln above this assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderSystem.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"No OrderSystem.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Debug or Release: the services were built with this test (…/bin/&lt;configuration&gt;/net10.0/).</summary>
    public static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
}
