namespace OrderSystem.Chaos.Faults;

/// <summary>What a fault kills with SIGKILL and then starts again.</summary>
public enum FaultTarget
{
    Ordering,
    Inventory,
    Payment,
    Notification,

    /// <summary>The broker's Erlang VM (beam.smp of the eng/infra.sh node).</summary>
    RabbitMq,

    /// <summary>The postmaster; its backends die with it.</summary>
    PostgreSql,
}
