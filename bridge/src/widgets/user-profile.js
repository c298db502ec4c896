export { UserProfile as default } from "@workos-inc/widgets/user-profile";
