using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LayerLens.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DockerfileReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ChangeCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "ExpectedOriginalSeconds",
                table: "Analyses",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "ExpectedRecommendedSeconds",
                table: "Analyses",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "InfoFindingCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "MeasureRequested",
                table: "Analyses",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "MeasureRuns",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "MeasuredEquivalent",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "MeasuredSavingSeconds",
                table: "Analyses",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StyleFindingCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ChangeCount",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ExpectedOriginalSeconds",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ExpectedRecommendedSeconds",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "InfoFindingCount",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "MeasureRequested",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "MeasureRuns",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "MeasuredEquivalent",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "MeasuredSavingSeconds",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "StyleFindingCount",
                table: "Analyses");
        }
    }
}
