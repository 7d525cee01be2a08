// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {LoyaltyToken} from "./LoyaltyToken.sol";

/// @title TokenFactory
/// @notice Deploys LoyaltyTokens. The caller is the brand: it becomes the token's admin, so
/// nobody can create a program in another brand's name. Every token created here emits
/// `TokenCreated`, which the exchange indexes to list programs, and is recorded in `brandOf`.
contract TokenFactory {
    /// @notice The brand (admin at creation) of each token this factory deployed; zero for
    /// any other address.
    mapping(address token => address brand) public brandOf;

    /// @notice A token was deployed for `brand`.
    event TokenCreated(
        address indexed brand,
        address indexed token,
        LoyaltyToken.Kind indexed kind,
        string name,
        string symbol,
        uint8 decimals,
        uint64 expiresAt
    );

    /// @notice Deploys a LoyaltyToken whose admin is the caller.
    /// @param minter Gets MINTER_ROLE unless zero (the brand can grant it later).
    /// @return token The new token's address.
    function createToken(
        string calldata name,
        string calldata symbol,
        uint8 decimals,
        LoyaltyToken.Kind kind,
        uint64 expiresAt,
        address minter
    ) external returns (address token) {
        token = address(new LoyaltyToken(name, symbol, decimals, kind, expiresAt, msg.sender, minter));
        brandOf[token] = msg.sender;
        emit TokenCreated(msg.sender, token, kind, name, symbol, decimals, expiresAt);
    }
}
