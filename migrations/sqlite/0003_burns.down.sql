DROP TABLE redemption_burns;
DROP TABLE burns;
