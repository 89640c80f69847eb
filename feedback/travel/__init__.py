"""«Бонусный ВЗР»: free travel insurance for the insured within the contract's day limit."""
