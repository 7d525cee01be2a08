DROP INDEX ledger_asset_time;
