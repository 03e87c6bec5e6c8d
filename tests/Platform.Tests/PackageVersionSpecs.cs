using System.Xml.Linq;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// OpenTelemetry's core packages are released together and must be used together: the OTLP exporter 1.20.0 beside the
/// SDK 1.20.1 threw a MissingFieldException on every metric batch, so no metric ever reached the dashboard while traces
/// and logs did. One version for the core set, in Directory.Packages.props, keeps that from coming back.
/// </summary>
public sealed class PackageVersionSpecs
{
    private static readonly string[] OpenTelemetryCore =
    [
        "OpenTelemetry",
        "OpenTelemetry.Api",
        "OpenTelemetry.Api.ProviderBuilderExtensions",
        "OpenTelemetry.Extensions.Hosting",
        "OpenTelemetry.Exporter.OpenTelemetryProtocol",
        "OpenTelemetry.Exporter.InMemory",
        "OpenTelemetry.Exporter.Console",
    ];

    [Fact]
    public void OpenTelemetry_core_packages_share_one_version()
    {
        var versions = CentralVersions()
            .Where(p => OpenTelemetryCore.Contains(p.Key))
            .ToList();

        versions.Count.ShouldBeGreaterThanOrEqualTo(3, "the SDK, the hosting extensions and the OTLP exporter are pinned");
        versions.Select(p => p.Value).Distinct().ShouldHaveSingleItem(string.Join(", ", versions.Select(p => $"{p.Key} {p.Value}")));
    }

    [Fact]
    public void Aspire_packages_share_one_version()
    {
        var versions = CentralVersions().Where(p => p.Key.StartsWith("Aspire.", StringComparison.Ordinal)).ToList();

        versions.ShouldNotBeEmpty();
        versions.Select(p => p.Value).Distinct().ShouldHaveSingleItem(string.Join(", ", versions.Select(p => $"{p.Key} {p.Value}")));
    }

    private static Dictionary<string, string> CentralVersions()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props"))) directory = directory.Parent;
        var props = XDocument.Load(Path.Combine(directory!.FullName, "Directory.Packages.props"));
        return props.Descendants("PackageVersion").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
    }
}
