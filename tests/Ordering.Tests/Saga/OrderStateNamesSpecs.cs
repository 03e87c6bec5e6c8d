using Microsoft.Extensions.Options;
using OrderSystem.Ordering.Saga;

namespace OrderSystem.Ordering.Tests.Saga;

/// <summary>The API's state filter and the order metrics use <see cref="OrderStateNames"/>: they are the machine's states.</summary>
public class OrderStateNamesSpecs
{
    [Fact]
    public void Should_name_every_state_a_client_sees_as_the_machine_does()
    {
        var machine = new OrderStateMachine(Options.Create(new OrderSagaOptions()));

        OrderStateNames.All.ShouldBe([machine.Submitted.Name, machine.StockReserved.Name, machine.Confirmed.Name, machine.Rejected.Name, machine.Cancelled.Name]);
        machine.States.Select(s => s.Name).Except([machine.Initial.Name, machine.Final.Name]).ShouldBe(OrderStateNames.All, ignoreOrder: true);
        OrderStateNames.All.Where(OrderStateNames.IsTerminal).ShouldBe([machine.Confirmed.Name, machine.Rejected.Name, machine.Cancelled.Name]);
    }
}
