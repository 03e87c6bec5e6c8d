using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderSystem.Inventory.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ProductSold : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "sold",
                table: "products",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.UpdateData(
                table: "products",
                keyColumn: "sku",
                keyValue: "CABLE-USBC",
                column: "sold",
                value: 0);

            migrationBuilder.UpdateData(
                table: "products",
                keyColumn: "sku",
                keyValue: "HEADSET-01",
                column: "sold",
                value: 0);

            migrationBuilder.UpdateData(
                table: "products",
                keyColumn: "sku",
                keyValue: "KEYBOARD-01",
                column: "sold",
                value: 0);

            migrationBuilder.UpdateData(
                table: "products",
                keyColumn: "sku",
                keyValue: "LAPTOP-PRO",
                column: "sold",
                value: 0);

            migrationBuilder.UpdateData(
                table: "products",
                keyColumn: "sku",
                keyValue: "MONITOR-27",
                column: "sold",
                value: 0);

            migrationBuilder.UpdateData(
                table: "products",
                keyColumn: "sku",
                keyValue: "MOUSE-01",
                column: "sold",
                value: 0);

            migrationBuilder.AddCheckConstraint(
                name: "ck_products_sold_not_negative",
                table: "products",
                sql: "sold >= 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_products_sold_not_negative",
                table: "products");

            migrationBuilder.DropColumn(
                name: "sold",
                table: "products");
        }
    }
}
