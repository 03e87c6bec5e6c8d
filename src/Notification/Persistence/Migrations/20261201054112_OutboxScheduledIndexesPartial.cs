using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderSystem.Notification.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutboxScheduledIndexesPartial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_message_enqueue_time",
                table: "outbox_message");

            migrationBuilder.DropIndex(
                name: "ix_outbox_message_schedule_token_id",
                table: "outbox_message");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_enqueue_time",
                table: "outbox_message",
                column: "enqueue_time",
                filter: "outbox_id IS NULL AND inbox_message_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_schedule_token_id",
                table: "outbox_message",
                column: "schedule_token_id",
                filter: "outbox_id IS NULL AND inbox_message_id IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_message_enqueue_time",
                table: "outbox_message");

            migrationBuilder.DropIndex(
                name: "ix_outbox_message_schedule_token_id",
                table: "outbox_message");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_enqueue_time",
                table: "outbox_message",
                column: "enqueue_time");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_schedule_token_id",
                table: "outbox_message",
                column: "schedule_token_id");
        }
    }
}
