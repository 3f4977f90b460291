using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LayerLens.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ArchiveKindChoice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ArchiveKind",
                table: "Analyses",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ArchiveKind",
                table: "Analyses");
        }
    }
}
