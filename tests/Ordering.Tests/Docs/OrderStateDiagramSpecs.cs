using Microsoft.Extensions.Options;
using OrderSystem.Ordering.Saga;

namespace OrderSystem.Ordering.Tests.Docs;

/// <summary>
/// docs/order-flow.md shows the saga's state diagram generated from <see cref="OrderStateMachine"/>. This fails when the
/// committed diagram no longer matches the machine. To refresh it:
/// <c>UPDATE_DOCS=1 dotnet test tests/Ordering.Tests --filter FullyQualifiedName~OrderStateDiagram</c>
/// </summary>
public class OrderStateDiagramSpecs
{
    private const string Begin = "<!-- state-diagram:begin (generated from OrderStateMachine; see tests/Ordering.Tests/Docs) -->";
    private const string End = "<!-- state-diagram:end -->";

    private static string Generated() =>
        MermaidStateDiagram.Generate(new OrderStateMachine(Options.Create(new OrderSagaOptions())));

    [Fact]
    public void Should_draw_every_transition_of_the_order_saga()
    {
        var diagram = Generated();

        diagram.ShouldStartWith("stateDiagram-v2");
        diagram.ShouldContain("[*] --> Submitted : OrderSubmitted");
        diagram.ShouldContain("Submitted --> StockReserved : StockReservedEvent");
        diagram.ShouldContain("StockReserved --> Confirmed : PaymentCaptured");
        diagram.ShouldContain("Submitted --> Rejected : StockReservationFailed");
        diagram.ShouldContain("StockReserved --> Cancelled : PaymentDeclined");
        diagram.ShouldContain("StockReserved --> Cancelled : CancelRequested");
        diagram.ShouldContain("Confirmed --> [*]");
        diagram.ShouldNotContain("Confirmed --> Cancelled");
    }

    [Fact]
    public void Should_match_the_diagram_committed_in_docs()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "order-flow.md");
        var document = File.ReadAllText(path);
        var start = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        (start >= 0 && end > start).ShouldBeTrue($"{path} must contain the markers {Begin} … {End}");

        var block = "\n```mermaid\n" + Generated() + "```\n";
        var committed = document[(start + Begin.Length)..end];
        if (committed != block && Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, document[..(start + Begin.Length)] + block + document[end..]);
            return;
        }

        committed.ShouldBe(block, "docs/order-flow.md is stale: run UPDATE_DOCS=1 dotnet test tests/Ordering.Tests --filter FullyQualifiedName~OrderStateDiagram");
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
