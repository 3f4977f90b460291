using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LayerLens.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class JobsAndResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "Analyses",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "BuildLogDigest",
                table: "Analyses",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "Analyses",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "CompressedSizeBytes",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContextDigest",
                table: "Analyses",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DurationMilliseconds",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ErrorFindingCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FileCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "InputDigest",
                table: "Analyses",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Name",
                table: "Analyses",
                type: "TEXT",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Platform",
                table: "Analyses",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ProgressBytesRead",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ProgressLayerCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ProgressLayersDone",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProgressPhase",
                table: "Analyses",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ProgressTotalBytes",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProtectedCredentials",
                table: "Analyses",
                type: "TEXT",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RunId",
                table: "Analyses",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WarningFindingCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WasteItemCount",
                table: "Analyses",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "BuildLogDigest",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "CompressedSizeBytes",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ContextDigest",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "DurationMilliseconds",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ErrorFindingCount",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "FileCount",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "InputDigest",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "Name",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "Platform",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ProgressBytesRead",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ProgressLayerCount",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ProgressLayersDone",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ProgressPhase",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ProgressTotalBytes",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "ProtectedCredentials",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "RunId",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "WarningFindingCount",
                table: "Analyses");

            migrationBuilder.DropColumn(
                name: "WasteItemCount",
                table: "Analyses");
        }
    }
}
