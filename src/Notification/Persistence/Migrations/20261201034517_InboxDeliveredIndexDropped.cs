using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderSystem.Notification.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InboxDeliveredIndexDropped : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_inbox_state_delivered",
                table: "inbox_state");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_inbox_state_delivered",
                table: "inbox_state",
                column: "delivered");
        }
    }
}
