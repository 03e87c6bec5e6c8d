using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrderSystem.Inventory.Catalog;

/// <summary>EF Core mapping of <see cref="Product"/>, with the seeded catalog.</summary>
public class ProductMap : IEntityTypeConfiguration<Product>
{
    /// <summary>
    /// The constraint that refuses a negative <c>available</c>: what stops a reservation that lost the race for the last
    /// units (<see cref="Reservations.ReserveStockConsumer"/>), and a bug elsewhere, from overselling.
    /// </summary>
    public const string AvailableNotNegative = "ck_products_available_not_negative";

    public void Configure(EntityTypeBuilder<Product> entity)
    {
        entity.ToTable("products", table =>
        {
            // The database itself refuses negative stock: a lost race or a bug fails loudly instead of overselling.
            table.HasCheckConstraint(AvailableNotNegative, "available >= 0");
            table.HasCheckConstraint("ck_products_reserved_not_negative", "reserved >= 0");
            table.HasCheckConstraint("ck_products_sold_not_negative", "sold >= 0");
        });
        entity.HasKey(x => x.Sku);
        entity.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
        entity.Property(x => x.Name).HasColumnName("name").HasMaxLength(200).IsRequired();
        entity.Property(x => x.Price).HasColumnName("price").HasPrecision(18, 2);
        entity.Property(x => x.Available).HasColumnName("available");
        entity.Property(x => x.Reserved).HasColumnName("reserved");
        entity.Property(x => x.Sold).HasColumnName("sold");
        entity.HasData(SeedCatalog.Products);
    }
}
