using System.Reflection;
using OrderSystem.Messaging.CrashTesting;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>Every named crash point has a test that crashes a process there, and a row in docs/reliability.md.</summary>
public sealed class CrashPointCoverageSpecs
{
    [Fact]
    public void Every_crash_point_is_crashed_at_by_a_test()
    {
        var crashed = typeof(CrashPointCoverageSpecs).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(CrashPointCoverageSpecs).Namespace && t != typeof(CrashSwitchSpecs))
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<InlineDataAttribute>())
            .SelectMany(d => d.GetData(null!))
            .Select(row => row[0])
            .OfType<string>()
            .Select(value => value.Split('@')[0])
            .ToHashSet();
        CrashPoints.All.Where(p => !crashed.Contains(p)).ShouldBeEmpty("crash points no test crashes at");
    }

    [Fact]
    public void Every_crash_point_has_a_row_in_the_reliability_document()
    {
        var document = File.ReadAllLines(Document());
        var rows = document.Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Split('`')[1]).ToHashSet();
        CrashPoints.All.Where(p => !rows.Contains(p)).ShouldBeEmpty("crash points missing from docs/reliability.md");
        rows.Where(r => r.Contains('.') && !r.Contains('/') && !CrashPoints.All.Contains(r)).ShouldBeEmpty("rows naming no crash point");
    }

    private static string Document()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "docs", "reliability.md");
            if (File.Exists(path)) return path;
        }

        throw new FileNotFoundException("docs/reliability.md above " + AppContext.BaseDirectory);
    }
}
