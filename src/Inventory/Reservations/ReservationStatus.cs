namespace OrderSystem.Inventory.Reservations;

public enum ReservationStatus
{
    /// <summary>The order's lines are held (moved from available to reserved).</summary>
    Reserved,

    /// <summary>Nothing was reserved (out of stock or unknown SKU).</summary>
    Rejected,

    /// <summary>The order was cancelled: its stock was given back, or the release came first and no reservation will follow.</summary>
    Released,

    /// <summary>The order was confirmed: its reserved units left stock as sold.</summary>
    Sold,
}
