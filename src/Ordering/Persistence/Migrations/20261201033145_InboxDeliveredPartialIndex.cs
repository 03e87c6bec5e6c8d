using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderSystem.Ordering.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InboxDeliveredPartialIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_inbox_state_delivered",
                table: "inbox_state");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_state_delivered",
                table: "inbox_state",
                column: "delivered",
                filter: "delivered IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_inbox_state_delivered",
                table: "inbox_state");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_state_delivered",
                table: "inbox_state",
                column: "delivered");
        }
    }
}
