"""The office database: connection, migrations, and one module of SQL per subject; backups and encrypted copies."""
