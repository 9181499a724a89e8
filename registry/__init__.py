"""Electronic registration of Chongqing second-class registered constructors."""
