// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title LoyaltyToken
/// @notice A brand's loyalty points or coupons as an ERC-20 token with burn and EIP-2612 permit.
/// The brand holds DEFAULT_ADMIN_ROLE and grants or revokes MINTER_ROLE; only minters mint.
/// A coupon has an expiry: from `expiresAt` on, transfers and mints revert with
/// `CouponExpired`, while burns still work so holders and the exchange can clear balances.
contract LoyaltyToken is ERC20, ERC20Burnable, ERC20Permit, AccessControl {
    /// @notice What the token stands for. Points never expire; a coupon always does.
    enum Kind {
        Points,
        Coupon
    }

    /// @notice Holders of this role may mint.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice Points or Coupon, fixed at construction.
    Kind public immutable kind;

    /// @notice Unix time (seconds) from which a coupon can no longer be transferred or minted;
    /// 0 for points.
    uint64 public immutable expiresAt;

    uint8 private immutable _decimals;

    /// @notice A transfer or mint of a coupon at or after its expiry.
    error CouponExpired(uint64 expiresAt);

    /// @notice Points with an expiry, or a coupon whose expiry is missing or already past.
    error InvalidExpiry(Kind kind, uint64 expiresAt);

    /// @notice The brand (admin) address is zero.
    error InvalidAdmin();

    /// @param name_ ERC-20 name, also the EIP-712 domain name used by permit.
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ ERC-20 decimals (the scale of one unit).
    /// @param kind_ Points or Coupon.
    /// @param expiresAt_ 0 for points; for a coupon, a Unix time in the future.
    /// @param admin The brand: gets DEFAULT_ADMIN_ROLE and so manages minters.
    /// @param minter Gets MINTER_ROLE unless it is the zero address.
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        Kind kind_,
        uint64 expiresAt_,
        address admin,
        address minter
    ) ERC20(name_, symbol_) ERC20Permit(name_) {
        if (admin == address(0)) revert InvalidAdmin();
        if (kind_ == Kind.Points ? expiresAt_ != 0 : expiresAt_ <= block.timestamp) {
            revert InvalidExpiry(kind_, expiresAt_);
        }
        kind = kind_;
        expiresAt = expiresAt_;
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (minter != address(0)) _grantRole(MINTER_ROLE, minter);
    }

    /// @notice Mints `amount` units to `to`. Only minters; reverts once a coupon has expired.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice True once a coupon has reached its expiry; always false for points.
    function expired() public view returns (bool) {
        return expiresAt != 0 && block.timestamp >= expiresAt;
    }

    /// @dev Every balance change passes here: anything that credits an account (a transfer or a
    /// mint) is refused after expiry; a burn (to == 0) is not.
    function _update(address from, address to, uint256 value) internal override {
        if (to != address(0) && expired()) revert CouponExpired(expiresAt);
        super._update(from, to, value);
    }
}
