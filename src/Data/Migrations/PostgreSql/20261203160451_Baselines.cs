using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LayerLens.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Baselines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Analyses_ProjectId",
                table: "Analyses");

            migrationBuilder.AddColumn<string>(
                name: "DefaultBranch",
                table: "Projects",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "main");

            migrationBuilder.AddColumn<string>(
                name: "RegressionPolicy",
                table: "Projects",
                type: "character varying(65536)",
                maxLength: 65536,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BaselineBranch",
                table: "Analyses",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "BaselineId",
                table: "Analyses",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branch",
                table: "Analyses",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Commit",
                table: "Analyses",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RequestedBaselineId",
                table: "Analyses",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "VerdictRegressed",
                table: "Analyses",
                type: "boolean",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Analyses_ProjectId_Branch_CreatedAtUtc",
                table: "Analyses",
                columns: new[] { "ProjectId", "Branch", "CreatedAtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Analyses_ProjectId_Branch_CreatedAtUtc",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "DefaultBranch",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "RegressionPolicy",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "BaselineBranch",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "BaselineId",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "Branch",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "Commit",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "RequestedBaselineId",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "VerdictRegressed",
                table: "Analyses");

            migrationBuilder.CreateIndex(
                name: "IX_Analyses_ProjectId",
                table: "Analyses",
                column: "ProjectId");
        }
    }
}
