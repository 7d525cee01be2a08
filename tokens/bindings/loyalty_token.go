// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package bindings

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// LoyaltyTokenMetaData contains all meta data concerning the LoyaltyToken contract.
var LoyaltyTokenMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"string\",\"name\":\"name_\",\"type\":\"string\"},{\"internalType\":\"string\",\"name\":\"symbol_\",\"type\":\"string\"},{\"internalType\":\"uint8\",\"name\":\"decimals_\",\"type\":\"uint8\"},{\"internalType\":\"enumLoyaltyToken.Kind\",\"name\":\"kind_\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiresAt_\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"admin\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"minter\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AccessControlBadConfirmation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"neededRole\",\"type\":\"bytes32\"}],\"name\":\"AccessControlUnauthorizedAccount\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"expiresAt\",\"type\":\"uint64\"}],\"name\":\"CouponExpired\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ECDSAInvalidSignature\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"length\",\"type\":\"uint256\"}],\"name\":\"ECDSAInvalidSignatureLength\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"s\",\"type\":\"bytes32\"}],\"name\":\"ECDSAInvalidSignatureS\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"allowance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"ERC20InsufficientAllowance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"balance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"ERC20InsufficientBalance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"approver\",\"type\":\"address\"}],\"name\":\"ERC20InvalidApprover\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"receiver\",\"type\":\"address\"}],\"name\":\"ERC20InvalidReceiver\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"ERC20InvalidSender\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"}],\"name\":\"ERC20InvalidSpender\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"}],\"name\":\"ERC2612ExpiredSignature\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"signer\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"}],\"name\":\"ERC2612InvalidSigner\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"currentNonce\",\"type\":\"uint256\"}],\"name\":\"InvalidAccountNonce\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InvalidAdmin\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"enumLoyaltyToken.Kind\",\"name\":\"kind\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiresAt\",\"type\":\"uint64\"}],\"name\":\"InvalidExpiry\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InvalidShortString\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"string\",\"name\":\"str\",\"type\":\"string\"}],\"name\":\"StringTooLong\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"Approval\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[],\"name\":\"EIP712DomainChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"previousAdminRole\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"newAdminRole\",\"type\":\"bytes32\"}],\"name\":\"RoleAdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleGranted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"Transfer\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"DEFAULT_ADMIN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"DOMAIN_SEPARATOR\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MINTER_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"}],\"name\":\"allowance\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"approve\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"balanceOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"burn\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"burnFrom\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"decimals\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"eip712Domain\",\"outputs\":[{\"internalType\":\"bytes1\",\"name\":\"fields\",\"type\":\"bytes1\"},{\"internalType\":\"string\",\"name\":\"name\",\"type\":\"string\"},{\"internalType\":\"string\",\"name\":\"version\",\"type\":\"string\"},{\"internalType\":\"uint256\",\"name\":\"chainId\",\"type\":\"uint256\"},{\"internalType\":\"address\",\"name\":\"verifyingContract\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"salt\",\"type\":\"bytes32\"},{\"internalType\":\"uint256[]\",\"name\":\"extensions\",\"type\":\"uint256[]\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"expired\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"expiresAt\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"}],\"name\":\"getRoleAdmin\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"grantRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"hasRole\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"kind\",\"outputs\":[{\"internalType\":\"enumLoyaltyToken.Kind\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"mint\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"name\",\"outputs\":[{\"internalType\":\"string\",\"name\":\"\",\"type\":\"string\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"}],\"name\":\"nonces\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"},{\"internalType\":\"uint8\",\"name\":\"v\",\"type\":\"uint8\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"s\",\"type\":\"bytes32\"}],\"name\":\"permit\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"callerConfirmation\",\"type\":\"address\"}],\"name\":\"renounceRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"revokeRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes4\",\"name\":\"interfaceId\",\"type\":\"bytes4\"}],\"name\":\"supportsInterface\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"symbol\",\"outputs\":[{\"internalType\":\"string\",\"name\":\"\",\"type\":\"string\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalSupply\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"transfer\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"transferFrom\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "LoyaltyToken",
	Bin: "0x6101c0604052348015610010575f5ffd5b50604051611b7c380380611b7c83398101604081905261002f916103fc565b6040805180820190915260018152603160f81b602082015287908190818960036100598382610547565b5060046100668282610547565b5050506100788261023660201b60201c565b6101205261008581610236565b61014052815160208084019190912060e052815190820120610100524660a05261011160e05161010051604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201529081019290925260608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b60805250503060c052506001600160a01b03821661014257604051630b5eba9f60e41b815260040160405180910390fd5b5f84600181111561015557610155610605565b1461016c5742836001600160401b03161115610179565b6001600160401b03831615155b156101a4578383604051631c0ad1af60e01b815260040161019b929190610619565b60405180910390fd5b8360018111156101b6576101b6610605565b6101608160018111156101cb576101cb610605565b9052506001600160401b0383166101805260ff85166101a0526101ee5f83610273565b506001600160a01b0381161561022a576102287f9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a682610273565b505b505050505050506106a9565b5f5f829050601f81511115610260578260405163305a27a960e01b815260040161019b9190610651565b805161026b82610686565b179392505050565b5f8281526008602090815260408083206001600160a01b038516845290915281205460ff16610317575f8381526008602090815260408083206001600160a01b03861684529091529020805460ff191660011790556102cf3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161031a565b505f5b92915050565b634e487b7160e01b5f52604160045260245ffd5b5f82601f830112610343575f5ffd5b81516001600160401b0381111561035c5761035c610320565b604051601f8201601f19908116603f011681016001600160401b038111828210171561038a5761038a610320565b6040528181528382016020018510156103a1575f5ffd5b8160208501602083015e5f918101602001919091529392505050565b8051600281106103cb575f5ffd5b919050565b80516001600160401b03811681146103cb575f5ffd5b80516001600160a01b03811681146103cb575f5ffd5b5f5f5f5f5f5f5f60e0888a031215610412575f5ffd5b87516001600160401b03811115610427575f5ffd5b6104338a828b01610334565b60208a015190985090506001600160401b03811115610450575f5ffd5b61045c8a828b01610334565b965050604088015160ff81168114610472575f5ffd5b9450610480606089016103bd565b935061048e608089016103d0565b925061049c60a089016103e6565b91506104aa60c089016103e6565b905092959891949750929550565b600181811c908216806104cc57607f821691505b6020821081036104ea57634e487b7160e01b5f52602260045260245ffd5b50919050565b601f821115610542578282111561054257805f5260205f20601f840160051c602085101561051b57505f5b90810190601f840160051c035f5b8181101561053e575f83820155600101610529565b5050505b505050565b81516001600160401b0381111561056057610560610320565b6105748161056e84546104b8565b846104f0565b6020601f8211600181146105a6575f831561058f5750848201515b5f19600385901b1c1916600184901b1784556105fe565b5f84815260208120601f198516915b828110156105d557878501518255602094850194600190920191016105b5565b50848210156105f257868401515f19600387901b60f8161c191681555b505060018360011b0184555b5050505050565b634e487b7160e01b5f52602160045260245ffd5b604081016002841061063957634e487b7160e01b5f52602160045260245ffd5b9281526001600160401b039190911660209091015290565b602081525f82518060208401528060208501604085015e5f604082850101526040601f19601f83011684010191505092915050565b805160208083015191908110156104ea575f1960209190910360031b1b16919050565b60805160a05160c05160e05161010051610120516101405161016051610180516101a05161144f61072d5f395f61028c01525f818161036d0152818161061f015281816106540152610dc601525f6101d201525f610c4001525f610c1501525f610aeb01525f610ac301525f610a1e01525f610a4801525f610a72015261144f5ff3fe608060405234801561000f575f5ffd5b50600436106101a1575f3560e01c80634c2067c7116100f357806395d89b4111610093578063d505accf1161006e578063d505accf146103dd578063d5391393146103f0578063d547741f14610417578063dd62ed3e1461042a575f5ffd5b806395d89b41146103bb578063a217fddf146103c3578063a9059cbb146103ca575f5ffd5b80637ecebe00116100ce5780637ecebe001461033a57806384b0196e1461034d5780638622a6891461036857806391d14854146103a8575f5ffd5b80634c2067c7146102f757806370a08231146102ff57806379cc679014610327575f5ffd5b8063248a9ca31161015e5780633644e515116101395780633644e515146102b657806336568abe146102be57806340c10f19146102d157806342966c68146102e4575f5ffd5b8063248a9ca31461024e5780632f2ff15d14610270578063313ce56714610285575f5ffd5b806301ffc9a7146101a557806304baa00b146101cd57806306fdde0314610201578063095ea7b31461021657806318160ddd1461022957806323b872dd1461023b575b5f5ffd5b6101b86101b3366004611141565b610462565b60405190151581526020015b60405180910390f35b6101f47f000000000000000000000000000000000000000000000000000000000000000081565b6040516101c49190611183565b610209610498565b6040516101c491906111d7565b6101b8610224366004611204565b610528565b6002545b6040519081526020016101c4565b6101b861024936600461122c565b61053f565b61022d61025c366004611266565b5f9081526008602052604090206001015490565b61028361027e36600461127d565b610562565b005b60405160ff7f00000000000000000000000000000000000000000000000000000000000000001681526020016101c4565b61022d61058c565b6102836102cc36600461127d565b61059a565b6102836102df366004611204565b6105d2565b6102836102f2366004611266565b610606565b6101b8610613565b61022d61030d3660046112a7565b6001600160a01b03165f9081526020819052604090205490565b610283610335366004611204565b61067a565b61022d6103483660046112a7565b610693565b6103556106b0565b6040516101c497969594939291906112c0565b61038f7f000000000000000000000000000000000000000000000000000000000000000081565b60405167ffffffffffffffff90911681526020016101c4565b6101b86103b636600461127d565b6106f2565b61020961071c565b61022d5f81565b6101b86103d8366004611204565b61072b565b6102836103eb366004611356565b610738565b61022d7f9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a681565b61028361042536600461127d565b610873565b61022d6104383660046113c3565b6001600160a01b039182165f90815260016020908152604080832093909416825291909152205490565b5f6001600160e01b03198216637965db0b60e01b148061049257506301ffc9a760e01b6001600160e01b03198316145b92915050565b6060600380546104a7906113eb565b80601f01602080910402602001604051908101604052809291908181526020018280546104d3906113eb565b801561051e5780601f106104f55761010080835404028352916020019161051e565b820191905f5260205f20905b81548152906001019060200180831161050157829003601f168201915b5050505050905090565b5f33610535818585610897565b5060019392505050565b5f3361054c8582856108a4565b61055785858561091a565b506001949350505050565b5f8281526008602052604090206001015461057c81610977565b6105868383610981565b50505050565b5f610595610a12565b905090565b6001600160a01b03811633146105c35760405163334bd91960e11b815260040160405180910390fd5b6105cd8282610b3b565b505050565b7f9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a66105fc81610977565b6105cd8383610ba6565b6106103382610bda565b50565b5f67ffffffffffffffff7f0000000000000000000000000000000000000000000000000000000000000000161580159061059557505067ffffffffffffffff7f00000000000000000000000000000000000000000000000000000000000000001642101590565b6106858233836108a4565b61068f8282610bda565b5050565b6001600160a01b0381165f90815260076020526040812054610492565b5f6060805f5f5f60606106c1610c0e565b6106c9610c39565b604080515f80825260208201909252600f60f81b9b939a50919850469750309650945092509050565b5f9182526008602090815260408084206001600160a01b0393909316845291905290205460ff1690565b6060600480546104a7906113eb565b5f3361053581858561091a565b834211156107615760405163313c898160e11b8152600481018590526024015b60405180910390fd5b5f7f6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c98888886107ac8c6001600160a01b03165f90815260076020526040902080546001810190915590565b6040805160208101969096526001600160a01b0394851690860152929091166060840152608083015260a082015260c0810186905260e0016040516020818303038152906040528051906020012090505f61080682610c64565b90505f61081582878787610c90565b9050896001600160a01b0316816001600160a01b03161461085c576040516325c0072360e11b81526001600160a01b0380831660048301528b166024820152604401610758565b6108678a8a8a610897565b50505050505050505050565b5f8281526008602052604090206001015461088d81610977565b6105868383610b3b565b6105cd8383836001610cbc565b6001600160a01b038381165f908152600160209081526040808320938616835292905220545f19811015610586578181101561090c57604051637dc7a0d960e11b81526001600160a01b03841660048201526024810182905260448101839052606401610758565b61058684848484035f610cbc565b6001600160a01b03831661094357604051634b637e8f60e11b81525f6004820152602401610758565b6001600160a01b03821661096c5760405163ec442f0560e01b81525f6004820152602401610758565b6105cd838383610d8e565b6106108133610dfe565b5f61098c83836106f2565b610a0b575f8381526008602090815260408083206001600160a01b03861684529091529020805460ff191660011790556109c33390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a4506001610492565b505f610492565b5f306001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016148015610a6a57507f000000000000000000000000000000000000000000000000000000000000000046145b15610a9457507f000000000000000000000000000000000000000000000000000000000000000090565b610595604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201527f0000000000000000000000000000000000000000000000000000000000000000918101919091527f000000000000000000000000000000000000000000000000000000000000000060608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b5f610b4683836106f2565b15610a0b575f8381526008602090815260408083206001600160a01b0386168085529252808320805460ff1916905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a4506001610492565b6001600160a01b038216610bcf5760405163ec442f0560e01b81525f6004820152602401610758565b61068f5f8383610d8e565b6001600160a01b038216610c0357604051634b637e8f60e11b81525f6004820152602401610758565b61068f825f83610d8e565b60606105957f0000000000000000000000000000000000000000000000000000000000000000610e37565b60606105957f0000000000000000000000000000000000000000000000000000000000000000610e37565b5f610492610c70610a12565b8360405161190160f01b8152600281019290925260228201526042902090565b5f5f5f5f610ca088888888610e74565b925092509250610cb08282610f3c565b50909695505050505050565b6001600160a01b038416610ce55760405163e602df0560e01b81525f6004820152602401610758565b6001600160a01b038316610d0e57604051634a1406b160e11b81525f6004820152602401610758565b6001600160a01b038085165f908152600160209081526040808320938716835292905220829055801561058657826001600160a01b0316846001600160a01b03167f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b92584604051610d8091815260200190565b60405180910390a350505050565b6001600160a01b03821615801590610da95750610da9610613565b15610df3576040516320a97e0760e21b815267ffffffffffffffff7f0000000000000000000000000000000000000000000000000000000000000000166004820152602401610758565b6105cd838383610ff4565b610e0882826106f2565b61068f5760405163e2517d3f60e01b81526001600160a01b038216600482015260248101839052604401610758565b60605f610e438361111a565b6040805160208082528183019092529192505f91906020820181803683375050509182525060208101929092525090565b5f80807f7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0841115610ead57505f91506003905082610f32565b604080515f808252602082018084528a905260ff891692820192909252606081018790526080810186905260019060a0016020604051602081039080840390855afa158015610efe573d5f5f3e3d5ffd5b5050604051601f1901519150506001600160a01b038116610f2957505f925060019150829050610f32565b92505f91508190505b9450945094915050565b5f826003811115610f4f57610f4f61116f565b03610f58575050565b6001826003811115610f6c57610f6c61116f565b03610f8a5760405163f645eedf60e01b815260040160405180910390fd5b6002826003811115610f9e57610f9e61116f565b03610fbf5760405163fce698f760e01b815260048101829052602401610758565b6003826003811115610fd357610fd361116f565b0361068f576040516335e2f38360e21b815260048101829052602401610758565b6001600160a01b03831661101e578060025f8282546110139190611423565b9091555061108e9050565b6001600160a01b0383165f90815260208190526040902054818110156110705760405163391434e360e21b81526001600160a01b03851660048201526024810182905260448101839052606401610758565b6001600160a01b0384165f9081526020819052604090209082900390555b6001600160a01b0382166110aa576002805482900390556110c8565b6001600160a01b0382165f9081526020819052604090208054820190555b816001600160a01b0316836001600160a01b03167fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef8360405161110d91815260200190565b60405180910390a3505050565b5f60ff8216601f81111561049257604051632cd44ac360e21b815260040160405180910390fd5b5f60208284031215611151575f5ffd5b81356001600160e01b031981168114611168575f5ffd5b9392505050565b634e487b7160e01b5f52602160045260245ffd5b60208101600283106111a357634e487b7160e01b5f52602160045260245ffd5b91905290565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b602081525f61116860208301846111a9565b80356001600160a01b03811681146111ff575f5ffd5b919050565b5f5f60408385031215611215575f5ffd5b61121e836111e9565b946020939093013593505050565b5f5f5f6060848603121561123e575f5ffd5b611247846111e9565b9250611255602085016111e9565b929592945050506040919091013590565b5f60208284031215611276575f5ffd5b5035919050565b5f5f6040838503121561128e575f5ffd5b8235915061129e602084016111e9565b90509250929050565b5f602082840312156112b7575f5ffd5b611168826111e9565b60ff60f81b8816815260e060208201525f6112de60e08301896111a9565b82810360408401526112f081896111a9565b606084018890526001600160a01b038716608085015260a0840186905283810360c0850152845180825260208087019350909101905f5b81811015611345578351835260209384019390920191600101611327565b50909b9a5050505050505050505050565b5f5f5f5f5f5f5f60e0888a03121561136c575f5ffd5b611375886111e9565b9650611383602089016111e9565b95506040880135945060608801359350608088013560ff811681146113a6575f5ffd5b9699959850939692959460a0840135945060c09093013592915050565b5f5f604083850312156113d4575f5ffd5b6113dd836111e9565b915061129e602084016111e9565b600181811c908216806113ff57607f821691505b60208210810361141d57634e487b7160e01b5f52602260045260245ffd5b50919050565b8082018082111561049257634e487b7160e01b5f52601160045260245ffdfea164736f6c6343000825000a",
}

// LoyaltyToken is an auto generated Go binding around an Ethereum contract.
type LoyaltyToken struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *LoyaltyToken) GetABI() abi.ABI {
	return c.abi
}

// NewLoyaltyToken creates a new instance of LoyaltyToken.
func NewLoyaltyToken() *LoyaltyToken {
	parsed, err := LoyaltyTokenMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &LoyaltyToken{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *LoyaltyToken) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(string name_, string symbol_, uint8 decimals_, uint8 kind_, uint64 expiresAt_, address admin, address minter) returns()
func (loyaltyToken *LoyaltyToken) PackConstructor(name_ string, symbol_ string, decimals_ uint8, kind_ uint8, expiresAt_ uint64, admin common.Address, minter common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("", name_, symbol_, decimals_, kind_, expiresAt_, admin, minter)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) PackDEFAULTADMINROLE() []byte {
	enc, err := loyaltyToken.abi.Pack("DEFAULT_ADMIN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) TryPackDEFAULTADMINROLE() ([]byte, error) {
	return loyaltyToken.abi.Pack("DEFAULT_ADMIN_ROLE")
}

// UnpackDEFAULTADMINROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa217fddf.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) UnpackDEFAULTADMINROLE(data []byte) ([32]byte, error) {
	out, err := loyaltyToken.abi.Unpack("DEFAULT_ADMIN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackDOMAINSEPARATOR is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3644e515.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DOMAIN_SEPARATOR() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) PackDOMAINSEPARATOR() []byte {
	enc, err := loyaltyToken.abi.Pack("DOMAIN_SEPARATOR")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDOMAINSEPARATOR is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3644e515.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DOMAIN_SEPARATOR() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) TryPackDOMAINSEPARATOR() ([]byte, error) {
	return loyaltyToken.abi.Pack("DOMAIN_SEPARATOR")
}

// UnpackDOMAINSEPARATOR is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x3644e515.
//
// Solidity: function DOMAIN_SEPARATOR() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) UnpackDOMAINSEPARATOR(data []byte) ([32]byte, error) {
	out, err := loyaltyToken.abi.Unpack("DOMAIN_SEPARATOR", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackMINTERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd5391393.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function MINTER_ROLE() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) PackMINTERROLE() []byte {
	enc, err := loyaltyToken.abi.Pack("MINTER_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMINTERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd5391393.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function MINTER_ROLE() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) TryPackMINTERROLE() ([]byte, error) {
	return loyaltyToken.abi.Pack("MINTER_ROLE")
}

// UnpackMINTERROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd5391393.
//
// Solidity: function MINTER_ROLE() view returns(bytes32)
func (loyaltyToken *LoyaltyToken) UnpackMINTERROLE(data []byte) ([32]byte, error) {
	out, err := loyaltyToken.abi.Unpack("MINTER_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (loyaltyToken *LoyaltyToken) PackAllowance(owner common.Address, spender common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("allowance", owner, spender)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (loyaltyToken *LoyaltyToken) TryPackAllowance(owner common.Address, spender common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("allowance", owner, spender)
}

// UnpackAllowance is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (loyaltyToken *LoyaltyToken) UnpackAllowance(data []byte) (*big.Int, error) {
	out, err := loyaltyToken.abi.Unpack("allowance", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackApprove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x095ea7b3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) PackApprove(spender common.Address, value *big.Int) []byte {
	enc, err := loyaltyToken.abi.Pack("approve", spender, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackApprove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x095ea7b3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) TryPackApprove(spender common.Address, value *big.Int) ([]byte, error) {
	return loyaltyToken.abi.Pack("approve", spender, value)
}

// UnpackApprove is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) UnpackApprove(data []byte) (bool, error) {
	out, err := loyaltyToken.abi.Unpack("approve", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (loyaltyToken *LoyaltyToken) PackBalanceOf(account common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("balanceOf", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (loyaltyToken *LoyaltyToken) TryPackBalanceOf(account common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("balanceOf", account)
}

// UnpackBalanceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (loyaltyToken *LoyaltyToken) UnpackBalanceOf(data []byte) (*big.Int, error) {
	out, err := loyaltyToken.abi.Unpack("balanceOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackBurn is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x42966c68.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function burn(uint256 value) returns()
func (loyaltyToken *LoyaltyToken) PackBurn(value *big.Int) []byte {
	enc, err := loyaltyToken.abi.Pack("burn", value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBurn is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x42966c68.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function burn(uint256 value) returns()
func (loyaltyToken *LoyaltyToken) TryPackBurn(value *big.Int) ([]byte, error) {
	return loyaltyToken.abi.Pack("burn", value)
}

// PackBurnFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x79cc6790.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function burnFrom(address account, uint256 value) returns()
func (loyaltyToken *LoyaltyToken) PackBurnFrom(account common.Address, value *big.Int) []byte {
	enc, err := loyaltyToken.abi.Pack("burnFrom", account, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBurnFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x79cc6790.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function burnFrom(address account, uint256 value) returns()
func (loyaltyToken *LoyaltyToken) TryPackBurnFrom(account common.Address, value *big.Int) ([]byte, error) {
	return loyaltyToken.abi.Pack("burnFrom", account, value)
}

// PackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function decimals() view returns(uint8)
func (loyaltyToken *LoyaltyToken) PackDecimals() []byte {
	enc, err := loyaltyToken.abi.Pack("decimals")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function decimals() view returns(uint8)
func (loyaltyToken *LoyaltyToken) TryPackDecimals() ([]byte, error) {
	return loyaltyToken.abi.Pack("decimals")
}

// UnpackDecimals is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x313ce567.
//
// Solidity: function decimals() view returns(uint8)
func (loyaltyToken *LoyaltyToken) UnpackDecimals(data []byte) (uint8, error) {
	out, err := loyaltyToken.abi.Unpack("decimals", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackEip712Domain is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x84b0196e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function eip712Domain() view returns(bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)
func (loyaltyToken *LoyaltyToken) PackEip712Domain() []byte {
	enc, err := loyaltyToken.abi.Pack("eip712Domain")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackEip712Domain is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x84b0196e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function eip712Domain() view returns(bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)
func (loyaltyToken *LoyaltyToken) TryPackEip712Domain() ([]byte, error) {
	return loyaltyToken.abi.Pack("eip712Domain")
}

// Eip712DomainOutput serves as a container for the return parameters of contract
// method Eip712Domain.
type Eip712DomainOutput struct {
	Fields            [1]byte
	Name              string
	Version           string
	ChainId           *big.Int
	VerifyingContract common.Address
	Salt              [32]byte
	Extensions        []*big.Int
}

// UnpackEip712Domain is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x84b0196e.
//
// Solidity: function eip712Domain() view returns(bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)
func (loyaltyToken *LoyaltyToken) UnpackEip712Domain(data []byte) (Eip712DomainOutput, error) {
	out, err := loyaltyToken.abi.Unpack("eip712Domain", data)
	outstruct := new(Eip712DomainOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Fields = *abi.ConvertType(out[0], new([1]byte)).(*[1]byte)
	outstruct.Name = *abi.ConvertType(out[1], new(string)).(*string)
	outstruct.Version = *abi.ConvertType(out[2], new(string)).(*string)
	outstruct.ChainId = abi.ConvertType(out[3], new(big.Int)).(*big.Int)
	outstruct.VerifyingContract = *abi.ConvertType(out[4], new(common.Address)).(*common.Address)
	outstruct.Salt = *abi.ConvertType(out[5], new([32]byte)).(*[32]byte)
	outstruct.Extensions = *abi.ConvertType(out[6], new([]*big.Int)).(*[]*big.Int)
	return *outstruct, nil
}

// PackExpired is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4c2067c7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function expired() view returns(bool)
func (loyaltyToken *LoyaltyToken) PackExpired() []byte {
	enc, err := loyaltyToken.abi.Pack("expired")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackExpired is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4c2067c7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function expired() view returns(bool)
func (loyaltyToken *LoyaltyToken) TryPackExpired() ([]byte, error) {
	return loyaltyToken.abi.Pack("expired")
}

// UnpackExpired is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x4c2067c7.
//
// Solidity: function expired() view returns(bool)
func (loyaltyToken *LoyaltyToken) UnpackExpired(data []byte) (bool, error) {
	out, err := loyaltyToken.abi.Unpack("expired", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackExpiresAt is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8622a689.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function expiresAt() view returns(uint64)
func (loyaltyToken *LoyaltyToken) PackExpiresAt() []byte {
	enc, err := loyaltyToken.abi.Pack("expiresAt")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackExpiresAt is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8622a689.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function expiresAt() view returns(uint64)
func (loyaltyToken *LoyaltyToken) TryPackExpiresAt() ([]byte, error) {
	return loyaltyToken.abi.Pack("expiresAt")
}

// UnpackExpiresAt is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8622a689.
//
// Solidity: function expiresAt() view returns(uint64)
func (loyaltyToken *LoyaltyToken) UnpackExpiresAt(data []byte) (uint64, error) {
	out, err := loyaltyToken.abi.Unpack("expiresAt", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (loyaltyToken *LoyaltyToken) PackGetRoleAdmin(role [32]byte) []byte {
	enc, err := loyaltyToken.abi.Pack("getRoleAdmin", role)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (loyaltyToken *LoyaltyToken) TryPackGetRoleAdmin(role [32]byte) ([]byte, error) {
	return loyaltyToken.abi.Pack("getRoleAdmin", role)
}

// UnpackGetRoleAdmin is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x248a9ca3.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (loyaltyToken *LoyaltyToken) UnpackGetRoleAdmin(data []byte) ([32]byte, error) {
	out, err := loyaltyToken.abi.Unpack("getRoleAdmin", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (loyaltyToken *LoyaltyToken) PackGrantRole(role [32]byte, account common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("grantRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (loyaltyToken *LoyaltyToken) TryPackGrantRole(role [32]byte, account common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("grantRole", role, account)
}

// PackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (loyaltyToken *LoyaltyToken) PackHasRole(role [32]byte, account common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("hasRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (loyaltyToken *LoyaltyToken) TryPackHasRole(role [32]byte, account common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("hasRole", role, account)
}

// UnpackHasRole is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x91d14854.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (loyaltyToken *LoyaltyToken) UnpackHasRole(data []byte) (bool, error) {
	out, err := loyaltyToken.abi.Unpack("hasRole", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackKind is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x04baa00b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function kind() view returns(uint8)
func (loyaltyToken *LoyaltyToken) PackKind() []byte {
	enc, err := loyaltyToken.abi.Pack("kind")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKind is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x04baa00b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function kind() view returns(uint8)
func (loyaltyToken *LoyaltyToken) TryPackKind() ([]byte, error) {
	return loyaltyToken.abi.Pack("kind")
}

// UnpackKind is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x04baa00b.
//
// Solidity: function kind() view returns(uint8)
func (loyaltyToken *LoyaltyToken) UnpackKind(data []byte) (uint8, error) {
	out, err := loyaltyToken.abi.Unpack("kind", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackMint is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40c10f19.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (loyaltyToken *LoyaltyToken) PackMint(to common.Address, amount *big.Int) []byte {
	enc, err := loyaltyToken.abi.Pack("mint", to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMint is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40c10f19.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (loyaltyToken *LoyaltyToken) TryPackMint(to common.Address, amount *big.Int) ([]byte, error) {
	return loyaltyToken.abi.Pack("mint", to, amount)
}

// PackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function name() view returns(string)
func (loyaltyToken *LoyaltyToken) PackName() []byte {
	enc, err := loyaltyToken.abi.Pack("name")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function name() view returns(string)
func (loyaltyToken *LoyaltyToken) TryPackName() ([]byte, error) {
	return loyaltyToken.abi.Pack("name")
}

// UnpackName is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x06fdde03.
//
// Solidity: function name() view returns(string)
func (loyaltyToken *LoyaltyToken) UnpackName(data []byte) (string, error) {
	out, err := loyaltyToken.abi.Unpack("name", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackNonces is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7ecebe00.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function nonces(address owner) view returns(uint256)
func (loyaltyToken *LoyaltyToken) PackNonces(owner common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("nonces", owner)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackNonces is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7ecebe00.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function nonces(address owner) view returns(uint256)
func (loyaltyToken *LoyaltyToken) TryPackNonces(owner common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("nonces", owner)
}

// UnpackNonces is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7ecebe00.
//
// Solidity: function nonces(address owner) view returns(uint256)
func (loyaltyToken *LoyaltyToken) UnpackNonces(data []byte) (*big.Int, error) {
	out, err := loyaltyToken.abi.Unpack("nonces", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackPermit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd505accf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) returns()
func (loyaltyToken *LoyaltyToken) PackPermit(owner common.Address, spender common.Address, value *big.Int, deadline *big.Int, v uint8, r [32]byte, s [32]byte) []byte {
	enc, err := loyaltyToken.abi.Pack("permit", owner, spender, value, deadline, v, r, s)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPermit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd505accf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) returns()
func (loyaltyToken *LoyaltyToken) TryPackPermit(owner common.Address, spender common.Address, value *big.Int, deadline *big.Int, v uint8, r [32]byte, s [32]byte) ([]byte, error) {
	return loyaltyToken.abi.Pack("permit", owner, spender, value, deadline, v, r, s)
}

// PackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (loyaltyToken *LoyaltyToken) PackRenounceRole(role [32]byte, callerConfirmation common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("renounceRole", role, callerConfirmation)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (loyaltyToken *LoyaltyToken) TryPackRenounceRole(role [32]byte, callerConfirmation common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("renounceRole", role, callerConfirmation)
}

// PackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (loyaltyToken *LoyaltyToken) PackRevokeRole(role [32]byte, account common.Address) []byte {
	enc, err := loyaltyToken.abi.Pack("revokeRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (loyaltyToken *LoyaltyToken) TryPackRevokeRole(role [32]byte, account common.Address) ([]byte, error) {
	return loyaltyToken.abi.Pack("revokeRole", role, account)
}

// PackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (loyaltyToken *LoyaltyToken) PackSupportsInterface(interfaceId [4]byte) []byte {
	enc, err := loyaltyToken.abi.Pack("supportsInterface", interfaceId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (loyaltyToken *LoyaltyToken) TryPackSupportsInterface(interfaceId [4]byte) ([]byte, error) {
	return loyaltyToken.abi.Pack("supportsInterface", interfaceId)
}

// UnpackSupportsInterface is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x01ffc9a7.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (loyaltyToken *LoyaltyToken) UnpackSupportsInterface(data []byte) (bool, error) {
	out, err := loyaltyToken.abi.Unpack("supportsInterface", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function symbol() view returns(string)
func (loyaltyToken *LoyaltyToken) PackSymbol() []byte {
	enc, err := loyaltyToken.abi.Pack("symbol")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function symbol() view returns(string)
func (loyaltyToken *LoyaltyToken) TryPackSymbol() ([]byte, error) {
	return loyaltyToken.abi.Pack("symbol")
}

// UnpackSymbol is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x95d89b41.
//
// Solidity: function symbol() view returns(string)
func (loyaltyToken *LoyaltyToken) UnpackSymbol(data []byte) (string, error) {
	out, err := loyaltyToken.abi.Unpack("symbol", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalSupply() view returns(uint256)
func (loyaltyToken *LoyaltyToken) PackTotalSupply() []byte {
	enc, err := loyaltyToken.abi.Pack("totalSupply")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalSupply() view returns(uint256)
func (loyaltyToken *LoyaltyToken) TryPackTotalSupply() ([]byte, error) {
	return loyaltyToken.abi.Pack("totalSupply")
}

// UnpackTotalSupply is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256)
func (loyaltyToken *LoyaltyToken) UnpackTotalSupply(data []byte) (*big.Int, error) {
	out, err := loyaltyToken.abi.Unpack("totalSupply", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTransfer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa9059cbb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) PackTransfer(to common.Address, value *big.Int) []byte {
	enc, err := loyaltyToken.abi.Pack("transfer", to, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransfer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa9059cbb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) TryPackTransfer(to common.Address, value *big.Int) ([]byte, error) {
	return loyaltyToken.abi.Pack("transfer", to, value)
}

// UnpackTransfer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) UnpackTransfer(data []byte) (bool, error) {
	out, err := loyaltyToken.abi.Unpack("transfer", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackTransferFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x23b872dd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) PackTransferFrom(from common.Address, to common.Address, value *big.Int) []byte {
	enc, err := loyaltyToken.abi.Pack("transferFrom", from, to, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransferFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x23b872dd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) TryPackTransferFrom(from common.Address, to common.Address, value *big.Int) ([]byte, error) {
	return loyaltyToken.abi.Pack("transferFrom", from, to, value)
}

// UnpackTransferFrom is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (loyaltyToken *LoyaltyToken) UnpackTransferFrom(data []byte) (bool, error) {
	out, err := loyaltyToken.abi.Unpack("transferFrom", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// LoyaltyTokenApproval represents a Approval event raised by the LoyaltyToken contract.
type LoyaltyTokenApproval struct {
	Owner   common.Address
	Spender common.Address
	Value   *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const LoyaltyTokenApprovalEventName = "Approval"

// ContractEventName returns the user-defined event name.
func (LoyaltyTokenApproval) ContractEventName() string {
	return LoyaltyTokenApprovalEventName
}

// UnpackApprovalEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 value)
func (loyaltyToken *LoyaltyToken) UnpackApprovalEvent(log *types.Log) (*LoyaltyTokenApproval, error) {
	event := "Approval"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != loyaltyToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(LoyaltyTokenApproval)
	if len(log.Data) > 0 {
		if err := loyaltyToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range loyaltyToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// LoyaltyTokenEIP712DomainChanged represents a EIP712DomainChanged event raised by the LoyaltyToken contract.
type LoyaltyTokenEIP712DomainChanged struct {
	Raw *types.Log // Blockchain specific contextual infos
}

const LoyaltyTokenEIP712DomainChangedEventName = "EIP712DomainChanged"

// ContractEventName returns the user-defined event name.
func (LoyaltyTokenEIP712DomainChanged) ContractEventName() string {
	return LoyaltyTokenEIP712DomainChangedEventName
}

// UnpackEIP712DomainChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event EIP712DomainChanged()
func (loyaltyToken *LoyaltyToken) UnpackEIP712DomainChangedEvent(log *types.Log) (*LoyaltyTokenEIP712DomainChanged, error) {
	event := "EIP712DomainChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != loyaltyToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(LoyaltyTokenEIP712DomainChanged)
	if len(log.Data) > 0 {
		if err := loyaltyToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range loyaltyToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// LoyaltyTokenRoleAdminChanged represents a RoleAdminChanged event raised by the LoyaltyToken contract.
type LoyaltyTokenRoleAdminChanged struct {
	Role              [32]byte
	PreviousAdminRole [32]byte
	NewAdminRole      [32]byte
	Raw               *types.Log // Blockchain specific contextual infos
}

const LoyaltyTokenRoleAdminChangedEventName = "RoleAdminChanged"

// ContractEventName returns the user-defined event name.
func (LoyaltyTokenRoleAdminChanged) ContractEventName() string {
	return LoyaltyTokenRoleAdminChangedEventName
}

// UnpackRoleAdminChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)
func (loyaltyToken *LoyaltyToken) UnpackRoleAdminChangedEvent(log *types.Log) (*LoyaltyTokenRoleAdminChanged, error) {
	event := "RoleAdminChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != loyaltyToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(LoyaltyTokenRoleAdminChanged)
	if len(log.Data) > 0 {
		if err := loyaltyToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range loyaltyToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// LoyaltyTokenRoleGranted represents a RoleGranted event raised by the LoyaltyToken contract.
type LoyaltyTokenRoleGranted struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const LoyaltyTokenRoleGrantedEventName = "RoleGranted"

// ContractEventName returns the user-defined event name.
func (LoyaltyTokenRoleGranted) ContractEventName() string {
	return LoyaltyTokenRoleGrantedEventName
}

// UnpackRoleGrantedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)
func (loyaltyToken *LoyaltyToken) UnpackRoleGrantedEvent(log *types.Log) (*LoyaltyTokenRoleGranted, error) {
	event := "RoleGranted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != loyaltyToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(LoyaltyTokenRoleGranted)
	if len(log.Data) > 0 {
		if err := loyaltyToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range loyaltyToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// LoyaltyTokenRoleRevoked represents a RoleRevoked event raised by the LoyaltyToken contract.
type LoyaltyTokenRoleRevoked struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const LoyaltyTokenRoleRevokedEventName = "RoleRevoked"

// ContractEventName returns the user-defined event name.
func (LoyaltyTokenRoleRevoked) ContractEventName() string {
	return LoyaltyTokenRoleRevokedEventName
}

// UnpackRoleRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)
func (loyaltyToken *LoyaltyToken) UnpackRoleRevokedEvent(log *types.Log) (*LoyaltyTokenRoleRevoked, error) {
	event := "RoleRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != loyaltyToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(LoyaltyTokenRoleRevoked)
	if len(log.Data) > 0 {
		if err := loyaltyToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range loyaltyToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// LoyaltyTokenTransfer represents a Transfer event raised by the LoyaltyToken contract.
type LoyaltyTokenTransfer struct {
	From  common.Address
	To    common.Address
	Value *big.Int
	Raw   *types.Log // Blockchain specific contextual infos
}

const LoyaltyTokenTransferEventName = "Transfer"

// ContractEventName returns the user-defined event name.
func (LoyaltyTokenTransfer) ContractEventName() string {
	return LoyaltyTokenTransferEventName
}

// UnpackTransferEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (loyaltyToken *LoyaltyToken) UnpackTransferEvent(log *types.Log) (*LoyaltyTokenTransfer, error) {
	event := "Transfer"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != loyaltyToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(LoyaltyTokenTransfer)
	if len(log.Data) > 0 {
		if err := loyaltyToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range loyaltyToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (loyaltyToken *LoyaltyToken) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["AccessControlBadConfirmation"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackAccessControlBadConfirmationError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["AccessControlUnauthorizedAccount"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackAccessControlUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["CouponExpired"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackCouponExpiredError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ECDSAInvalidSignature"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackECDSAInvalidSignatureError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ECDSAInvalidSignatureLength"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackECDSAInvalidSignatureLengthError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ECDSAInvalidSignatureS"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackECDSAInvalidSignatureSError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC20InsufficientAllowance"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC20InsufficientAllowanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC20InsufficientBalance"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC20InsufficientBalanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC20InvalidApprover"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC20InvalidApproverError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC20InvalidReceiver"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC20InvalidReceiverError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC20InvalidSender"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC20InvalidSenderError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC20InvalidSpender"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC20InvalidSpenderError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC2612ExpiredSignature"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC2612ExpiredSignatureError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["ERC2612InvalidSigner"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackERC2612InvalidSignerError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["InvalidAccountNonce"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackInvalidAccountNonceError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["InvalidAdmin"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackInvalidAdminError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["InvalidExpiry"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackInvalidExpiryError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["InvalidShortString"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackInvalidShortStringError(raw[4:])
	}
	if bytes.Equal(raw[:4], loyaltyToken.abi.Errors["StringTooLong"].ID.Bytes()[:4]) {
		return loyaltyToken.UnpackStringTooLongError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// LoyaltyTokenAccessControlBadConfirmation represents a AccessControlBadConfirmation error raised by the LoyaltyToken contract.
type LoyaltyTokenAccessControlBadConfirmation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlBadConfirmation()
func LoyaltyTokenAccessControlBadConfirmationErrorID() common.Hash {
	return common.HexToHash("0x6697b23232a647058342c0724fe7c415cab25915b54e5dbc03f233173d37b41c")
}

// UnpackAccessControlBadConfirmationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlBadConfirmation()
func (loyaltyToken *LoyaltyToken) UnpackAccessControlBadConfirmationError(raw []byte) (*LoyaltyTokenAccessControlBadConfirmation, error) {
	out := new(LoyaltyTokenAccessControlBadConfirmation)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "AccessControlBadConfirmation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenAccessControlUnauthorizedAccount represents a AccessControlUnauthorizedAccount error raised by the LoyaltyToken contract.
type LoyaltyTokenAccessControlUnauthorizedAccount struct {
	Account    common.Address
	NeededRole [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func LoyaltyTokenAccessControlUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0xe2517d3fbfae6f8515ef5ff1ccedc3933ab0cbbda0b492c06eb54ad10ef03b3e")
}

// UnpackAccessControlUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func (loyaltyToken *LoyaltyToken) UnpackAccessControlUnauthorizedAccountError(raw []byte) (*LoyaltyTokenAccessControlUnauthorizedAccount, error) {
	out := new(LoyaltyTokenAccessControlUnauthorizedAccount)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "AccessControlUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenCouponExpired represents a CouponExpired error raised by the LoyaltyToken contract.
type LoyaltyTokenCouponExpired struct {
	ExpiresAt uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error CouponExpired(uint64 expiresAt)
func LoyaltyTokenCouponExpiredErrorID() common.Hash {
	return common.HexToHash("0x82a5f81cef82cfbfc52dbd95649a2bb907a106cdcaffffeac308d27cb6f2b2fe")
}

// UnpackCouponExpiredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error CouponExpired(uint64 expiresAt)
func (loyaltyToken *LoyaltyToken) UnpackCouponExpiredError(raw []byte) (*LoyaltyTokenCouponExpired, error) {
	out := new(LoyaltyTokenCouponExpired)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "CouponExpired", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenECDSAInvalidSignature represents a ECDSAInvalidSignature error raised by the LoyaltyToken contract.
type LoyaltyTokenECDSAInvalidSignature struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ECDSAInvalidSignature()
func LoyaltyTokenECDSAInvalidSignatureErrorID() common.Hash {
	return common.HexToHash("0xf645eedf0193584640b6b90cb9477e4c95b98636c148a891d4c0a146dc46e75a")
}

// UnpackECDSAInvalidSignatureError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ECDSAInvalidSignature()
func (loyaltyToken *LoyaltyToken) UnpackECDSAInvalidSignatureError(raw []byte) (*LoyaltyTokenECDSAInvalidSignature, error) {
	out := new(LoyaltyTokenECDSAInvalidSignature)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ECDSAInvalidSignature", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenECDSAInvalidSignatureLength represents a ECDSAInvalidSignatureLength error raised by the LoyaltyToken contract.
type LoyaltyTokenECDSAInvalidSignatureLength struct {
	Length *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ECDSAInvalidSignatureLength(uint256 length)
func LoyaltyTokenECDSAInvalidSignatureLengthErrorID() common.Hash {
	return common.HexToHash("0xfce698f7e8e5342cd615f641317bc45fe7e1e4a8b0a14dd1383ff8dc9c41917f")
}

// UnpackECDSAInvalidSignatureLengthError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ECDSAInvalidSignatureLength(uint256 length)
func (loyaltyToken *LoyaltyToken) UnpackECDSAInvalidSignatureLengthError(raw []byte) (*LoyaltyTokenECDSAInvalidSignatureLength, error) {
	out := new(LoyaltyTokenECDSAInvalidSignatureLength)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ECDSAInvalidSignatureLength", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenECDSAInvalidSignatureS represents a ECDSAInvalidSignatureS error raised by the LoyaltyToken contract.
type LoyaltyTokenECDSAInvalidSignatureS struct {
	S [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ECDSAInvalidSignatureS(bytes32 s)
func LoyaltyTokenECDSAInvalidSignatureSErrorID() common.Hash {
	return common.HexToHash("0xd78bce0cccb935155ed6428d1c13e50b7f3550fd2b66b9fe266006fea4a5e1eb")
}

// UnpackECDSAInvalidSignatureSError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ECDSAInvalidSignatureS(bytes32 s)
func (loyaltyToken *LoyaltyToken) UnpackECDSAInvalidSignatureSError(raw []byte) (*LoyaltyTokenECDSAInvalidSignatureS, error) {
	out := new(LoyaltyTokenECDSAInvalidSignatureS)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ECDSAInvalidSignatureS", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC20InsufficientAllowance represents a ERC20InsufficientAllowance error raised by the LoyaltyToken contract.
type LoyaltyTokenERC20InsufficientAllowance struct {
	Spender   common.Address
	Allowance *big.Int
	Needed    *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)
func LoyaltyTokenERC20InsufficientAllowanceErrorID() common.Hash {
	return common.HexToHash("0xfb8f41b23e99d2101d86da76cdfa87dd51c82ed07d3cb62cbc473e469dbc75c3")
}

// UnpackERC20InsufficientAllowanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)
func (loyaltyToken *LoyaltyToken) UnpackERC20InsufficientAllowanceError(raw []byte) (*LoyaltyTokenERC20InsufficientAllowance, error) {
	out := new(LoyaltyTokenERC20InsufficientAllowance)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC20InsufficientAllowance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC20InsufficientBalance represents a ERC20InsufficientBalance error raised by the LoyaltyToken contract.
type LoyaltyTokenERC20InsufficientBalance struct {
	Sender  common.Address
	Balance *big.Int
	Needed  *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)
func LoyaltyTokenERC20InsufficientBalanceErrorID() common.Hash {
	return common.HexToHash("0xe450d38cd8d9f7d95077d567d60ed49c7254716e6ad08fc9872816c97e0ffec6")
}

// UnpackERC20InsufficientBalanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)
func (loyaltyToken *LoyaltyToken) UnpackERC20InsufficientBalanceError(raw []byte) (*LoyaltyTokenERC20InsufficientBalance, error) {
	out := new(LoyaltyTokenERC20InsufficientBalance)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC20InsufficientBalance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC20InvalidApprover represents a ERC20InvalidApprover error raised by the LoyaltyToken contract.
type LoyaltyTokenERC20InvalidApprover struct {
	Approver common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidApprover(address approver)
func LoyaltyTokenERC20InvalidApproverErrorID() common.Hash {
	return common.HexToHash("0xe602df05cc75712490294c6c104ab7c17f4030363910a7a2626411c6d3118847")
}

// UnpackERC20InvalidApproverError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidApprover(address approver)
func (loyaltyToken *LoyaltyToken) UnpackERC20InvalidApproverError(raw []byte) (*LoyaltyTokenERC20InvalidApprover, error) {
	out := new(LoyaltyTokenERC20InvalidApprover)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC20InvalidApprover", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC20InvalidReceiver represents a ERC20InvalidReceiver error raised by the LoyaltyToken contract.
type LoyaltyTokenERC20InvalidReceiver struct {
	Receiver common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidReceiver(address receiver)
func LoyaltyTokenERC20InvalidReceiverErrorID() common.Hash {
	return common.HexToHash("0xec442f055133b72f3b2f9f0bb351c406b178527de2040a7d1feb4e058771f613")
}

// UnpackERC20InvalidReceiverError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidReceiver(address receiver)
func (loyaltyToken *LoyaltyToken) UnpackERC20InvalidReceiverError(raw []byte) (*LoyaltyTokenERC20InvalidReceiver, error) {
	out := new(LoyaltyTokenERC20InvalidReceiver)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC20InvalidReceiver", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC20InvalidSender represents a ERC20InvalidSender error raised by the LoyaltyToken contract.
type LoyaltyTokenERC20InvalidSender struct {
	Sender common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidSender(address sender)
func LoyaltyTokenERC20InvalidSenderErrorID() common.Hash {
	return common.HexToHash("0x96c6fd1edd0cd6ef7ff0ecc0facdf53148dc0048b57fe58af65755250a7a96bd")
}

// UnpackERC20InvalidSenderError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidSender(address sender)
func (loyaltyToken *LoyaltyToken) UnpackERC20InvalidSenderError(raw []byte) (*LoyaltyTokenERC20InvalidSender, error) {
	out := new(LoyaltyTokenERC20InvalidSender)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC20InvalidSender", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC20InvalidSpender represents a ERC20InvalidSpender error raised by the LoyaltyToken contract.
type LoyaltyTokenERC20InvalidSpender struct {
	Spender common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidSpender(address spender)
func LoyaltyTokenERC20InvalidSpenderErrorID() common.Hash {
	return common.HexToHash("0x94280d62c347d8d9f4d59a76ea321452406db88df38e0c9da304f58b57b373a2")
}

// UnpackERC20InvalidSpenderError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidSpender(address spender)
func (loyaltyToken *LoyaltyToken) UnpackERC20InvalidSpenderError(raw []byte) (*LoyaltyTokenERC20InvalidSpender, error) {
	out := new(LoyaltyTokenERC20InvalidSpender)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC20InvalidSpender", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC2612ExpiredSignature represents a ERC2612ExpiredSignature error raised by the LoyaltyToken contract.
type LoyaltyTokenERC2612ExpiredSignature struct {
	Deadline *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC2612ExpiredSignature(uint256 deadline)
func LoyaltyTokenERC2612ExpiredSignatureErrorID() common.Hash {
	return common.HexToHash("0x627913023c184eaad13735d5a3d2657ae76ec9a872a70e0fc57522ef1a114d58")
}

// UnpackERC2612ExpiredSignatureError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC2612ExpiredSignature(uint256 deadline)
func (loyaltyToken *LoyaltyToken) UnpackERC2612ExpiredSignatureError(raw []byte) (*LoyaltyTokenERC2612ExpiredSignature, error) {
	out := new(LoyaltyTokenERC2612ExpiredSignature)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC2612ExpiredSignature", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenERC2612InvalidSigner represents a ERC2612InvalidSigner error raised by the LoyaltyToken contract.
type LoyaltyTokenERC2612InvalidSigner struct {
	Signer common.Address
	Owner  common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC2612InvalidSigner(address signer, address owner)
func LoyaltyTokenERC2612InvalidSignerErrorID() common.Hash {
	return common.HexToHash("0x4b800e463b323b1d856edf9dec70329a639d13874a57f5c28219ff57128756db")
}

// UnpackERC2612InvalidSignerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC2612InvalidSigner(address signer, address owner)
func (loyaltyToken *LoyaltyToken) UnpackERC2612InvalidSignerError(raw []byte) (*LoyaltyTokenERC2612InvalidSigner, error) {
	out := new(LoyaltyTokenERC2612InvalidSigner)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "ERC2612InvalidSigner", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenInvalidAccountNonce represents a InvalidAccountNonce error raised by the LoyaltyToken contract.
type LoyaltyTokenInvalidAccountNonce struct {
	Account      common.Address
	CurrentNonce *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidAccountNonce(address account, uint256 currentNonce)
func LoyaltyTokenInvalidAccountNonceErrorID() common.Hash {
	return common.HexToHash("0x752d88c0de02638abf10e8e31861e4c68dc1f3a1e7d840e580683f2c282bfc7a")
}

// UnpackInvalidAccountNonceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidAccountNonce(address account, uint256 currentNonce)
func (loyaltyToken *LoyaltyToken) UnpackInvalidAccountNonceError(raw []byte) (*LoyaltyTokenInvalidAccountNonce, error) {
	out := new(LoyaltyTokenInvalidAccountNonce)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "InvalidAccountNonce", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenInvalidAdmin represents a InvalidAdmin error raised by the LoyaltyToken contract.
type LoyaltyTokenInvalidAdmin struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidAdmin()
func LoyaltyTokenInvalidAdminErrorID() common.Hash {
	return common.HexToHash("0xb5eba9f01c7cbc6d71522850c06349630c7deaed3ac3e944712461ed3625f10e")
}

// UnpackInvalidAdminError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidAdmin()
func (loyaltyToken *LoyaltyToken) UnpackInvalidAdminError(raw []byte) (*LoyaltyTokenInvalidAdmin, error) {
	out := new(LoyaltyTokenInvalidAdmin)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "InvalidAdmin", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenInvalidExpiry represents a InvalidExpiry error raised by the LoyaltyToken contract.
type LoyaltyTokenInvalidExpiry struct {
	Kind      uint8
	ExpiresAt uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidExpiry(uint8 kind, uint64 expiresAt)
func LoyaltyTokenInvalidExpiryErrorID() common.Hash {
	return common.HexToHash("0x1c0ad1af44b44ba1e70d6d7f9d7f6b5ead55114bdb3ed8e03daefa1225589377")
}

// UnpackInvalidExpiryError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidExpiry(uint8 kind, uint64 expiresAt)
func (loyaltyToken *LoyaltyToken) UnpackInvalidExpiryError(raw []byte) (*LoyaltyTokenInvalidExpiry, error) {
	out := new(LoyaltyTokenInvalidExpiry)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "InvalidExpiry", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenInvalidShortString represents a InvalidShortString error raised by the LoyaltyToken contract.
type LoyaltyTokenInvalidShortString struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidShortString()
func LoyaltyTokenInvalidShortStringErrorID() common.Hash {
	return common.HexToHash("0xb3512b0c6163e5f0bafab72bb631b9d58cd7a731b082f910338aa21c83d5c274")
}

// UnpackInvalidShortStringError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidShortString()
func (loyaltyToken *LoyaltyToken) UnpackInvalidShortStringError(raw []byte) (*LoyaltyTokenInvalidShortString, error) {
	out := new(LoyaltyTokenInvalidShortString)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "InvalidShortString", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// LoyaltyTokenStringTooLong represents a StringTooLong error raised by the LoyaltyToken contract.
type LoyaltyTokenStringTooLong struct {
	Str string
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error StringTooLong(string str)
func LoyaltyTokenStringTooLongErrorID() common.Hash {
	return common.HexToHash("0x305a27a93f8e33b7392df0a0f91d6fc63847395853c45991eec52dbf24d72381")
}

// UnpackStringTooLongError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error StringTooLong(string str)
func (loyaltyToken *LoyaltyToken) UnpackStringTooLongError(raw []byte) (*LoyaltyTokenStringTooLong, error) {
	out := new(LoyaltyTokenStringTooLong)
	if err := loyaltyToken.abi.UnpackIntoInterface(out, "StringTooLong", raw); err != nil {
		return nil, err
	}
	return out, nil
}
