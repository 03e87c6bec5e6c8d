using OrderSystem.Messaging.Bus;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Layering;

/// <summary>
/// The folders of <c>src/Messaging</c> are the stages of a message's life, and their dependencies point one way: no folder
/// names a type of a folder that (directly or not) names one of its own. docs/messaging.md shows the graph; this fails
/// when it is stale. To refresh it:
/// <c>UPDATE_DOCS=1 dotnet test tests/Messaging.Tests --filter FullyQualifiedName~FolderLayering</c>
/// </summary>
public sealed class FolderLayeringSpecs
{
    private const string Root = "OrderSystem.Messaging";
    private const string Begin = "<!-- stage-diagram:begin (generated from src/Messaging; see tests/Messaging.Tests/Layering) -->";
    private const string End = "<!-- stage-diagram:end -->";

    private static FolderDependencies Graph() => FolderDependencies.Of(typeof(MessageBusRegistration).Assembly, Root);

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var graph = Graph();

        var cycle = FolderDependencies.FindCycle(graph.Uses);

        cycle.ShouldBeNull($"folder cycle {string.Join(" → ", cycle ?? [])}; the graph:\n{graph}");
    }

    [Fact]
    public void The_check_finds_a_cycle_when_there_is_one()
    {
        var graph = new Dictionary<string, SortedSet<string>>
        {
            ["Bus"] = ["Delivery"],
            ["Delivery"] = ["Storage"],
            ["Storage"] = ["Diagnostics", "Delivery"],
            ["Diagnostics"] = [],
        };

        FolderDependencies.FindCycle(graph).ShouldBe(["Delivery", "Storage", "Delivery"]);
    }

    [Fact]
    public void Sees_dependencies_that_only_method_bodies_name()
    {
        // OutboxMessageFactory (Storage) calls TraceCarrier (Diagnostics) in a method body only.
        Graph().Uses["Storage"].ShouldContain("Diagnostics");
    }

    [Fact]
    public void The_stage_diagram_in_the_docs_matches_the_code()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "messaging.md");
        var document = File.ReadAllText(path);
        var start = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        (start >= 0 && end > start).ShouldBeTrue($"{path} must contain the markers {Begin} … {End}");

        var block = "\n" + Graph().ToMarkdown();
        var committed = document[(start + Begin.Length)..end];
        if (committed != block && Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, document[..(start + Begin.Length)] + block + document[end..]);
            return;
        }

        committed.ShouldBe(block, "docs/messaging.md is stale: run UPDATE_DOCS=1 dotnet test tests/Messaging.Tests --filter FullyQualifiedName~FolderLayering");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrderSystem.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException("OrderSystem.sln not found above " + AppContext.BaseDirectory);
    }
}
